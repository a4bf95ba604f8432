"""Branch, commit and build URL of the current build, from CI variables or ``git``.

This reproduces the pact-broker CLI's ``--auto-detect-version-properties`` and
``--tag-with-git-branch`` (pact_broker-client ``git.rb``): the known CI variables first,
in that client's order, then ``git rev-parse``. It adds the variables the Ruby client
misses for the CIs we support: GitLab's ``CI_COMMIT_SHA`` and ``CI_JOB_URL``, Azure
DevOps and Bitbucket build URLs, GitHub's ``GITHUB_REF_NAME``.

``git`` runs as ``git rev-parse ...`` with a fixed argument list, no shell and no
secrets; a missing ``git`` or a non-repository gives None (or a clear error when the
caller asked for the value).
"""
from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

from .errors import BrokerConfigError

logger = logging.getLogger("pact_unittest.broker")

# Order matters: the first non-blank wins (GITHUB_HEAD_REF is the PR source branch and
# must beat GITHUB_REF, which is refs/pull/N/merge on a pull request).
BRANCH_VARS = ("GITHUB_HEAD_REF", "GITHUB_REF", "BUILDKITE_BRANCH", "CIRCLE_BRANCH",
               "TRAVIS_BRANCH", "GIT_BRANCH", "GIT_LOCAL_BRANCH", "APPVEYOR_REPO_BRANCH",
               "CI_COMMIT_REF_NAME", "BITBUCKET_BRANCH", "BUILD_SOURCEBRANCHNAME",
               "CIRRUS_BRANCH")
COMMIT_VARS = ("GITHUB_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1", "TRAVIS_COMMIT", "GIT_COMMIT",
               "APPVEYOR_REPO_COMMIT", "CI_COMMIT_SHA", "CI_COMMIT_ID", "BITBUCKET_COMMIT",
               "BUILD_SOURCEVERSION", "CIRRUS_CHANGE_IN_REPO")
BUILD_URL_VARS = ("BUILDKITE_BUILD_URL", "CIRCLE_BUILD_URL", "TRAVIS_BUILD_WEB_URL",
                  "CI_JOB_URL", "BUILD_URL")


@dataclass(frozen=True)
class VersionProperties:
    """The consumer version and what goes with it, after detection."""

    version: Optional[str]
    branch: Optional[str]
    tags: Tuple[str, ...]
    build_url: Optional[str]


def _get(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def _clean_branch(value: str) -> Optional[str]:
    if value.startswith("refs/tags/") or value.startswith("refs/pull/"):
        return None  # a tag build or a PR merge ref is not a branch
    if value.startswith("refs/heads/"):
        value = value[len("refs/heads/"):]
    if value.startswith("origin/"):  # Jenkins GIT_BRANCH
        value = value[len("origin/"):]
    return value or None


def branch_from_env(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    env = os.environ if env is None else env
    for name in BRANCH_VARS:
        value = _get(env, name)
        if value:
            cleaned = _clean_branch(value)
            if cleaned:
                return cleaned
    # As the Ruby client: exactly one other variable ending in _BRANCH is taken as the branch.
    others = [v for k, v in env.items() if k.endswith("_BRANCH") and v and v.strip()]
    return others[0].strip() if len(others) == 1 else None


def commit_from_env(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    env = os.environ if env is None else env
    for name in COMMIT_VARS:
        value = _get(env, name)
        if value:
            return value
    return None


def build_url_from_env(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    env = os.environ if env is None else env
    server, repo, run = (_get(env, n) for n in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                                                   "GITHUB_RUN_ID"))
    if server and repo and run:
        return f"{server}/{repo}/actions/runs/{run}"
    for name in BUILD_URL_VARS:
        value = _get(env, name)
        if value:
            return value
    collection, project, build = (_get(env, n) for n in (
        "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI", "SYSTEM_TEAMPROJECT", "BUILD_BUILDID"))
    if collection and project and build:
        return f"{collection.rstrip('/')}/{project}/_build/results?buildId={build}"
    origin, number = _get(env, "BITBUCKET_GIT_HTTP_ORIGIN"), _get(env, "BITBUCKET_BUILD_NUMBER")
    if origin and number:
        return f"{origin}/addon/pipelines/home#!/results/{number}"
    return None


def _git(args: Sequence[str], cwd: Optional[str]) -> Optional[str]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("git %s failed: %s", " ".join(args), exc)
        return None
    if done.returncode != 0:
        logger.debug("git %s exited %s: %s", " ".join(args), done.returncode,
                     done.stderr.strip())
        return None
    return done.stdout.strip() or None


def git_branch(cwd: Optional[str] = None) -> Optional[str]:
    """``git rev-parse --abbrev-ref HEAD``; None on a detached HEAD or outside a repo."""
    name = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    return None if not name or name == "HEAD" else name


def git_commit(cwd: Optional[str] = None) -> Optional[str]:
    return _git(["rev-parse", "HEAD"], cwd)


def detect_branch(env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None) -> Optional[str]:
    return branch_from_env(env) or git_branch(cwd)


def detect_commit(env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None) -> Optional[str]:
    return commit_from_env(env) or git_commit(cwd)


def resolve_version_properties(
    version: Optional[str],
    *,
    branch: Optional[str] = None,
    tags: Sequence[str] = (),
    build_url: Optional[str] = None,
    tag_with_git_branch: bool = False,
    auto_detect_version_properties: bool = False,
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
) -> VersionProperties:
    """Fill in what the caller left unset, as ``pact-broker publish`` does.

    ``auto_detect_version_properties``: version <- commit SHA, branch <- current branch,
    build URL <- the CI's build page, each only when not given. ``tag_with_git_branch``
    adds the current branch to the tags. A value that was asked for but cannot be found
    is an error naming what to set.
    """
    out_tags: List[str] = [t for t in tags]
    if auto_detect_version_properties:
        if not version:
            version = detect_commit(env, cwd)
            if not version:
                raise BrokerConfigError(
                    "Could not detect the consumer version: no CI commit variable (e.g. "
                    "GITHUB_SHA, CI_COMMIT_SHA, GIT_COMMIT) and `git rev-parse HEAD` failed. "
                    "Pass the version explicitly.")
        if branch is None:
            branch = detect_branch(env, cwd)
            if branch is None:
                raise BrokerConfigError(
                    "Could not detect the git branch (no CI branch variable and a detached "
                    "HEAD or no git). Pass branch explicitly.")
        if not build_url:
            build_url = build_url_from_env(env)
    if tag_with_git_branch:
        current = detect_branch(env, cwd)
        if current is None:
            raise BrokerConfigError(
                "tag_with_git_branch: could not detect the git branch (no CI branch "
                "variable and a detached HEAD or no git). Pass the tag explicitly.")
        out_tags.append(current)
    unique: List[str] = []
    for tag in out_tags:
        if tag not in unique:
            unique.append(tag)
    return VersionProperties(version, branch, tuple(unique), build_url)
