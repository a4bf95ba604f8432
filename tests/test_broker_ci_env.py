"""Version, branch and build URL detection from CI variables and git."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from pact_unittest.broker import BrokerConfigError
from pact_unittest.broker.ci_env import (
    branch_from_env,
    build_url_from_env,
    commit_from_env,
    git_branch,
    git_commit,
    resolve_version_properties,
)

CI_CASES = [
    ("github push", {"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "abc1",
                     "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
                     "GITHUB_RUN_ID": "77"},
     "main", "abc1", "https://github.com/o/r/actions/runs/77"),
    ("github pull request", {"GITHUB_HEAD_REF": "feat/x", "GITHUB_REF": "refs/pull/3/merge",
                             "GITHUB_SHA": "abc2"}, "feat/x", "abc2", None),
    ("gitlab", {"CI_COMMIT_REF_NAME": "dev", "CI_COMMIT_SHA": "abc3",
                "CI_JOB_URL": "https://gitlab.example/o/r/-/jobs/9"},
     "dev", "abc3", "https://gitlab.example/o/r/-/jobs/9"),
    ("jenkins", {"GIT_BRANCH": "origin/release", "GIT_COMMIT": "abc4",
                 "BUILD_URL": "https://jenkins.example/job/x/5/"},
     "release", "abc4", "https://jenkins.example/job/x/5/"),
    ("circleci", {"CIRCLE_BRANCH": "c", "CIRCLE_SHA1": "abc5",
                  "CIRCLE_BUILD_URL": "https://circleci.com/gh/o/r/1"},
     "c", "abc5", "https://circleci.com/gh/o/r/1"),
    ("buildkite", {"BUILDKITE_BRANCH": "b", "BUILDKITE_COMMIT": "abc6",
                   "BUILDKITE_BUILD_URL": "https://buildkite.com/o/p/builds/2"},
     "b", "abc6", "https://buildkite.com/o/p/builds/2"),
    ("azure devops", {"BUILD_SOURCEBRANCHNAME": "az", "BUILD_SOURCEVERSION": "abc7",
                      "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/org/",
                      "SYSTEM_TEAMPROJECT": "proj", "BUILD_BUILDID": "12"},
     "az", "abc7", "https://dev.azure.com/org/proj/_build/results?buildId=12"),
    ("bitbucket", {"BITBUCKET_BRANCH": "bb", "BITBUCKET_COMMIT": "abc8",
                   "BITBUCKET_GIT_HTTP_ORIGIN": "https://bitbucket.org/o/r",
                   "BITBUCKET_BUILD_NUMBER": "4"},
     "bb", "abc8", "https://bitbucket.org/o/r/addon/pipelines/home#!/results/4"),
]


@pytest.mark.parametrize("name,env,branch,commit,build_url", CI_CASES, ids=[c[0] for c in CI_CASES])
def test_ci_variables(name, env, branch, commit, build_url):
    assert branch_from_env(env) == branch
    assert commit_from_env(env) == commit
    assert build_url_from_env(env) == build_url


def test_a_single_other_branch_variable_is_used_as_in_ruby():
    assert branch_from_env({"MY_CI_BRANCH": "x"}) == "x"
    assert branch_from_env({"A_BRANCH": "x", "B_BRANCH": "y"}) is None
    assert branch_from_env({"GITHUB_REF": "refs/tags/v1"}) is None


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture
def repo(tmp_path):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for args in (["init", "-q", "-b", "topic"], ["commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    return tmp_path


@needs_git
def test_git_branch_and_commit(repo, tmp_path_factory):
    assert git_branch(str(repo)) == "topic"
    sha = git_commit(str(repo))
    assert sha and len(sha) == 40
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=repo, check=True)
    assert git_branch(str(repo)) is None
    outside = tmp_path_factory.mktemp("not_a_repo")
    assert git_branch(str(outside)) is None and git_commit(str(outside)) is None


@needs_git
def test_auto_detect_fills_only_what_is_missing(repo):
    props = resolve_version_properties(None, auto_detect_version_properties=True, env={}, cwd=str(repo))
    assert props.branch == "topic" and len(props.version) == 40 and props.build_url is None
    env = {"GITHUB_SHA": "s", "GITHUB_REF": "refs/heads/main", "BUILD_URL": "http://b/1"}
    props = resolve_version_properties("1.2.3", branch="mine", build_url=None,
                                       auto_detect_version_properties=True, env=env, cwd=str(repo))
    assert (props.version, props.branch, props.build_url) == ("1.2.3", "mine", "http://b/1")


@needs_git
def test_tag_with_git_branch_adds_the_branch_once(repo):
    props = resolve_version_properties("1", tags=["topic", "x"], tag_with_git_branch=True,
                                       env={}, cwd=str(repo))
    assert props.tags == ("topic", "x")
    assert props.branch is None  # tagging does not set the branch, as in v2


def test_without_detection_nothing_changes():
    props = resolve_version_properties("1", tags=["a"], env={"GITHUB_SHA": "s"})
    assert (props.version, props.branch, props.tags, props.build_url) == ("1", None, ("a",), None)


def test_undetectable_values_are_clear_errors(tmp_path):
    with pytest.raises(BrokerConfigError, match="consumer version"):
        resolve_version_properties(None, auto_detect_version_properties=True, env={}, cwd=str(tmp_path))
    with pytest.raises(BrokerConfigError, match="git branch"):
        resolve_version_properties("1", auto_detect_version_properties=True, env={}, cwd=str(tmp_path))
    with pytest.raises(BrokerConfigError, match="tag_with_git_branch"):
        resolve_version_properties("1", tag_with_git_branch=True, env={}, cwd=str(tmp_path))
