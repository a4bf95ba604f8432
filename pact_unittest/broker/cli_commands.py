"""The ``pact-broker`` commands besides ``publish``, as subcommands of ``pact-unittest``.

Names, flags, short forms, defaults and exit codes are pact_broker-client 1.75's (run
``pact-broker help COMMAND`` from pact-python 2.3.3 to compare), so a pipeline changes only
the program name. Connection flags everywhere: ``-b/--broker-base-url``,
``-u/--broker-username``, ``-p/--broker-password``, ``-k/--broker-token`` (or the
``PACT_BROKER_*`` variables), ``-v/--verbose``, plus our ``--ca-bundle``.

Where we differ from Ruby on purpose: errors go to stderr (Ruby prints most on stdout),
colours only on a terminal, and a 404 names what is missing.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, TextIO

from .ci_env import detect_branch
from .cli import verbose_logging
from .commands import (
    CommandError,
    Context,
    Outcome,
    create_environment,
    delete_environment,
    describe_environment,
    environment_body,
    list_environments,
    record_deployment,
    record_support_ended,
    record_undeployment,
    update_environment,
)
from .config import BrokerConfig
from .errors import BrokerError
from .hal import Hal
from .matrix import Selector, matrix_query, poll_matrix
from .output import Style, matrix_text, pretty_json
from .resources import (
    create_or_update_pacticipant,
    create_or_update_version,
    create_version_tag,
    delete_branch,
    describe_pacticipant,
    describe_version,
    list_latest_pact_versions,
    list_pacticipants,
)
from .transport import RetryPolicy, Transport
from .webhooks import EVENTS, WebhookSpec, create_webhook, test_webhook

#: Tests replace this to keep --retry-interval from sleeping.
SLEEP: Callable[[float], None] = time.sleep


class _Selectors(argparse.Action):
    """Builds can-i-deploy's version selectors in command-line order, as the Ruby CLI's
    ``VersionSelectorOptionsParser`` does (a ``--version`` belongs to the ``--pacticipant``
    before it)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: Optional[str] = None) -> None:
        selectors: List[Selector] = list(getattr(namespace, "selectors", None) or [])
        kind = self.dest
        if kind in ("pacticipant", "ignore"):
            selectors.append(Selector(pacticipant=values, ignore=kind == "ignore"))
        else:
            if not selectors:
                selectors.append(Selector())
            last = selectors[-1]
            if kind == "version":
                last.version = values
            elif kind == "latest":
                last.latest = True
                last.tag = values or last.tag
            elif kind == "all":  # every version with the tag (not only the latest)
                last.tag = values
            elif kind == "branch":
                last.branch, last.latest = values, True
            elif kind == "main_branch":
                last.main_branch = last.latest = True
        namespace.selectors = selectors


def _connection(parser: argparse.ArgumentParser, short_user: bool = True) -> None:
    """``short_user=False``: ``-u`` is the webhook's ``--user`` (as in curl and Ruby)."""
    parser.add_argument("-b", "--broker-base-url", help="base URL of the Pact Broker "
                        "[env PACT_BROKER_BASE_URL]")
    parser.add_argument(*(["-u"] if short_user else []), "--broker-username", help="basic auth username [env PACT_BROKER_USERNAME]")
    parser.add_argument("-p", "--broker-password", help="basic auth password; prefer env "
                        "PACT_BROKER_PASSWORD")
    parser.add_argument("-k", "--broker-token", help="bearer token; prefer env PACT_BROKER_TOKEN")
    parser.add_argument("--ca-bundle", help="CA bundle to trust for https [env REQUESTS_CA_BUNDLE]")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request "
                        "(credentials are never logged)")


def _output(parser: argparse.ArgumentParser, other: str, *more: str) -> None:
    parser.add_argument("-o", "--output", choices=(other, "json") + more, default=other,
                        help=f"{', '.join(('json',) + more)} or {other} (default {other})")


def _environment_options(parser: argparse.ArgumentParser, name_required: bool) -> None:
    parser.add_argument("--name", required=name_required,
                        help="the uniquely identifying name of the environment")
    parser.add_argument("--display-name", help="the display name of the environment")
    parser.add_argument("--production", action=argparse.BooleanOptionalAction, default=False,
                        help="whether this is a production environment")
    parser.add_argument("--contact-name", help="the team/person responsible for the environment")
    parser.add_argument("--contact-email-address", help="their email address")


def _pv(parser: argparse.ArgumentParser, version_required: bool = True) -> None:
    parser.add_argument("-a", "--pacticipant", required=True, help="the pacticipant name")
    parser.add_argument("-e", "--version", required=version_required,
                        help="the pacticipant version number")


def _matrix_options(parser: argparse.ArgumentParser, deploy: bool) -> None:
    parser.set_defaults(selectors=None)
    parser.add_argument("-a", "--pacticipant", action=_Selectors, required=True,
                        help="the pacticipant name; once for each pacticipant being checked")
    parser.add_argument("-e", "--version", action=_Selectors,
                        help="the version of the --pacticipant before it")
    if deploy:
        parser.add_argument("--ignore", action=_Selectors, metavar="PACTICIPANT",
                            help="a pacticipant to ignore [env PACT_BROKER_CAN_I_DEPLOY_IGNORE]")
        parser.add_argument("-l", "--latest", action=_Selectors, nargs="?", metavar="TAG",
                            help="the latest version (with TAG, the latest with that tag)")
        parser.add_argument("--all", action=_Selectors, metavar="TAG",
                            help="all versions with this tag (Ruby takes it too, but warns "
                            "of an unknown switch)")
        parser.add_argument("--branch", action=_Selectors,
                            help="the latest version of this branch")
        parser.add_argument("--main-branch", action=_Selectors, nargs=0,
                            help="the latest version of the pacticipant's main branch")
        parser.add_argument("--to-environment", metavar="ENVIRONMENT",
                            help="the environment to deploy to")
        parser.add_argument("--to", metavar="TAG", help="the tag of the target environment")
        parser.add_argument("--limit", metavar="N", help="the broker's matrix row limit "
                            "(Ruby's hidden --limit)")
    _output(parser, "table")
    parser.add_argument("--retry-while-unknown", type=int, default=0, metavar="TIMES",
                        help="times to retry while a verification result is unknown (default 0)")
    parser.add_argument("--retry-interval", type=float, default=10, metavar="SECONDS",
                        help="seconds between retries (default 10)")
    parser.add_argument("--dry-run", action=argparse.BooleanOptionalAction, default=False,
                        help="always exit 0 (env PACT_BROKER_CAN_I_%s_DRY_RUN=true)"
                        % ("DEPLOY" if deploy else "MERGE"))


def _webhook_options(parser: argparse.ArgumentParser) -> None:
    """The curl-like flags of create-webhook / create-or-update-webhook."""
    parser.add_argument("url", metavar="URL", help="the URL the webhook calls")
    parser.add_argument("-X", "--request", required=True, metavar="METHOD",
                        help="webhook HTTP method")
    parser.add_argument("-H", "--header", nargs="+", action="extend", default=[],
                        metavar="HEADER", help='webhook headers, "Name: value" (repeat -H, or '
                        "several after one -H, as in Ruby)")
    parser.add_argument("-d", "--data", help="webhook payload: JSON text, or @FILE")
    parser.add_argument("-u", "--user", help="webhook basic auth, username:password")
    for side in ("consumer", "provider"):
        parser.add_argument(f"--{side}", help=f"{side} name")
        parser.add_argument(f"--{side}-label", help=f"{side} label (instead of a name)")
    parser.add_argument("--description", help="webhook description")
    for event in EVENTS:
        parser.add_argument("--" + event.replace("_", "-"), dest=event, default=False,
                            action=argparse.BooleanOptionalAction,
                            help=f"trigger on {event.replace('_', ' ')}")
    parser.add_argument("--team-uuid", metavar="UUID", help="PactFlow team of the webhook")


def _webhook(args: argparse.Namespace, ctx: Context, out: TextIO, err: TextIO) -> Outcome:
    spec = WebhookSpec(args.url, args.request, [e for e in EVENTS if getattr(args, e)],
                       args.header, args.data, args.user, args.description, args.consumer,
                       args.consumer_label, args.provider, args.provider_label, args.team_uuid,
                       getattr(args, "uuid", None))
    return create_webhook(ctx, spec)


# -- the commands: (name, help, options, run) -------------------------------------------------

def _run_can_i(args: argparse.Namespace, ctx: Context, out: TextIO, err: TextIO) -> int:
    deploy = args.command == "can-i-deploy"
    every = list(args.selectors or [])
    selectors = [s for s in every if not s.ignore]
    ignore = [s for s in every if s.ignore]
    if deploy:
        ignore += [Selector(pacticipant=n.strip(), ignore=True) for n in
                   os.environ.get("PACT_BROKER_CAN_I_DEPLOY_IGNORE", "").split(",") if n.strip()]
    missing = [s.pacticipant or "" for s in selectors if not s.has_version()]
    if missing:
        raise CommandError("The version must be specified using `--version VERSION`, `--branch "
                           "BRANCH` `--latest`, `--latest TAG`, or `--all TAG` for pacticipant "
                           + ", ".join(missing))
    to_env = getattr(args, "to_environment", None)
    if to_env is not None and not to_env.strip():
        raise CommandError("The environment name cannot be blank")
    env_name = "PACT_BROKER_CAN_I_%s_DRY_RUN" % ("DEPLOY" if deploy else "MERGE")
    dry_run = args.dry_run or os.environ.get(env_name) == "true"
    query = matrix_query(selectors, to_tag=getattr(args, "to", None), to_environment=to_env,
                         with_main_branches=not deploy, ignore=ignore,
                         limit=getattr(args, "limit", None))
    try:
        matrix = poll_matrix(ctx.hal, query, retry_while_unknown=args.retry_while_unknown,
                             retry_interval=args.retry_interval, sleep=SLEEP, err=err)
    except (BrokerError, ValueError) as exc:
        print(ctx.style.red(f"Error retrieving matrix. {exc}"), file=err)
        return 0 if dry_run else 1
    print(pretty_json(matrix.data) if ctx.json else matrix_text(matrix, ctx.style, dry_run=dry_run),
          file=out)
    if matrix.deployable or dry_run:
        return 0
    code = os.environ.get("PACT_BROKER_CAN_I_DEPLOY_EXIT_CODE_BETA", "")
    return int(code) if deploy and code.isdigit() else 1


def _env_body(args: argparse.Namespace) -> Dict[str, Any]:
    return environment_body(args.name, args.display_name, args.production, args.contact_name,
                            args.contact_email_address)


def _tags_with_branch(args: argparse.Namespace) -> List[str]:
    tags = list(args.tag or [])
    if getattr(args, "tag_with_git_branch", False):
        branch = detect_branch()
        if not branch:
            raise CommandError("Could not determine the current git branch for "
                               "--tag-with-git-branch.")
        tags.append(branch)
    return tags


def _version_tag(args: argparse.Namespace, ctx: Context, out: TextIO, err: TextIO) -> Outcome:
    return create_version_tag(ctx, args.pacticipant, args.version, _tags_with_branch(args),
                              args.auto_create_version, say=lambda line: print(line, file=out))


def _latest(args: argparse.Namespace) -> Optional[str]:
    return args.latest if isinstance(args.latest, str) else None


Runner = Callable[[argparse.Namespace, Context, TextIO, TextIO], Any]
Options = Callable[[argparse.ArgumentParser], None]


def _opts(*adders: Options) -> Options:
    """One option builder made of several, applied in order."""
    def apply(parser: argparse.ArgumentParser) -> None:
        for add in adders:
            add(parser)
    return apply


def _arg(*flags: str, **kwargs: Any) -> Options:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*flags, **kwargs)
    return add


def _flag(name: str, default: bool) -> Options:
    return _arg(name, action=argparse.BooleanOptionalAction, default=default)


_TEXT, _TABLE = (lambda p: _output(p, "text")), (lambda p: _output(p, "table"))
_UUID = _arg("--uuid", required=True)
_ENVIRONMENT = _arg("--environment", required=True)
_PACTICIPANT = _arg("-a", "--pacticipant", required=True)
_NAME = _arg("--name", required=True)
_PV: Options = _pv

COMMANDS: List[Any] = [
    ("can-i-deploy", "Checks if the specified pacticipant version is safe to be deployed.",
     lambda p: _matrix_options(p, True), _run_can_i),
    ("can-i-merge", "Checks if the specified pacticipant version is safe to merge into the main "
     "branch.", lambda p: _matrix_options(p, False), _run_can_i),
    ("create-environment", "Create an environment resource in the Pact Broker.",
     _opts(lambda p: _environment_options(p, True), _TEXT),
     lambda a, c, o, e: create_environment(c, _env_body(a))),
    ("update-environment", "Update an environment resource in the Pact Broker.",
     _opts(_UUID, lambda p: _environment_options(p, False), _TEXT),
     lambda a, c, o, e: update_environment(c, a.uuid, _env_body(a))),
    ("describe-environment", "Describe an environment.", _opts(_UUID, _TEXT),
     lambda a, c, o, e: describe_environment(c, a.uuid)),
    ("delete-environment", "Delete an environment.", _opts(_UUID, _TEXT),
     lambda a, c, o, e: delete_environment(c, a.uuid)),
    ("list-environments", "List environments.", _TEXT,
     lambda a, c, o, e: list_environments(c)),
    ("record-deployment", "Record deployment of a pacticipant version to an environment.",
     _opts(_PV, _ENVIRONMENT, _arg("--application-instance"),
           _arg("--target", help=argparse.SUPPRESS), _TEXT),
     lambda a, c, o, e: record_deployment(c, a.pacticipant, a.version, a.environment,
                                          a.application_instance or a.target)),
    ("record-undeployment", "Record undeployment of a pacticipant from an environment.",
     _opts(_PACTICIPANT, _ENVIRONMENT, _arg("--application-instance"), _arg("--target"), _TEXT),
     lambda a, c, o, e: record_undeployment(c, a.pacticipant, a.environment,
                                            a.application_instance or a.target)),
    ("record-release", "Record release of a pacticipant version to an environment.",
     _opts(_PV, _ENVIRONMENT, _TEXT),
     lambda a, c, o, e: record_deployment(c, a.pacticipant, a.version, a.environment,
                                          action="release")),
    ("record-support-ended", "Record the end of support for a pacticipant version in an "
     "environment.", _opts(_PV, _ENVIRONMENT, _TEXT),
     lambda a, c, o, e: record_support_ended(c, a.pacticipant, a.version, a.environment)),
    ("create-or-update-version", "Create or update pacticipant version by version number.",
     _opts(_PV, _arg("--branch"), _arg("-t", "--tag", action="append"), _TEXT),
     lambda a, c, o, e: create_or_update_version(c, a.pacticipant, a.version, a.branch,
                                                 a.tag or [])),
    ("create-version-tag", "Add a tag to a pacticipant version.",
     _opts(_PV, _arg("-t", "--tag", action="append"), _flag("--auto-create-version", False),
           _arg("-g", "--tag-with-git-branch", action=argparse.BooleanOptionalAction,
                default=False)),
     _version_tag),
    ("describe-version", "Describes a pacticipant version (the latest when none is given).",
     _opts(lambda p: _pv(p, False), _arg("-l", "--latest", nargs="?", const=True, metavar="TAG"),
           lambda p: _output(p, "table", "id")),
     lambda a, c, o, e: describe_version(c, a.pacticipant, a.version, _latest(a),
                                         id_only=a.output == "id")),
    ("create-or-update-pacticipant", "Create or update pacticipant by name.",
     _opts(_NAME, _arg("--display-name"), _arg("--main-branch"), _arg("--repository-url"), _TEXT),
     lambda a, c, o, e: create_or_update_pacticipant(c, a.name, a.display_name, a.main_branch,
                                                     a.repository_url)),
    ("describe-pacticipant", "Describe a pacticipant.", _opts(_NAME, _TEXT),
     lambda a, c, o, e: describe_pacticipant(c, a.name)),
    ("list-pacticipants", "List pacticipants.", _TEXT, lambda a, c, o, e: list_pacticipants(c)),
    ("list-latest-pact-versions", "List the latest pact for each integration.", _TABLE,
     lambda a, c, o, e: list_latest_pact_versions(c)),
    ("delete-branch", "Deletes a pacticipant branch (not its versions, pacts or verifications).",
     _opts(_PACTICIPANT, _arg("--branch", required=True), _flag("--error-when-not-found", True)),
     lambda a, c, o, e: delete_branch(c, a.pacticipant, a.branch, a.error_when_not_found)),
    ("create-webhook", "Creates a webhook using the same switches as a curl request.",
     _webhook_options, _webhook),
    ("create-or-update-webhook", "Creates or updates a webhook with a provided uuid and using "
     "the same switches as a curl request.", _opts(_webhook_options, _UUID), _webhook),
    ("test-webhook", "Test the execution of a webhook", _UUID,
     lambda a, c, o, e: test_webhook(c, a.uuid)),
]

#: Checked before any request: the Ruby CLI refuses these blank values.
_BLANK = {"pacticipant": "Pacticipant name cannot be blank", "name": "Pacticipant name cannot be blank",
          "branch": "Branch name cannot be blank"}


def add_parsers(subparsers: Any) -> None:
    """Register every command on a dispatcher's subparsers."""
    for name, help_text, options, runner in COMMANDS:
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        options(parser)
        _connection(parser, short_user=not name.endswith("-webhook") or name == "test-webhook")
        parser.set_defaults(handler=run, runner=runner)
    parser = subparsers.add_parser("generate-uuid", help="Generate a UUID (for webhooks).")
    parser.set_defaults(handler=lambda args: print(uuid.uuid4()) or 0)


def run(args: argparse.Namespace, stdout: Optional[TextIO] = None,
        stderr: Optional[TextIO] = None) -> int:
    """Execute a parsed broker command; return its exit status."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    style = Style.for_stream(out)
    as_json = getattr(args, "output", None) == "json"
    with verbose_logging(args.verbose, err):
        return _run(args, out, err, style, as_json)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, style: Style, as_json: bool) -> int:
    try:
        for attr, message in _BLANK.items():
            value = getattr(args, attr, None)
            if isinstance(value, str) and not value.strip():
                raise CommandError(message)
        config = BrokerConfig.resolve(args.broker_base_url, args.broker_username,
                                      args.broker_password, args.broker_token,
                                      ca_bundle=args.ca_bundle)
        if config.token and config.username:
            raise CommandError("You cannot provide both a username/password and a bearer token. "
                               "If your Pact Broker uses a bearer token, please remove the "
                               "username and password configuration.")
        transport = Transport(config, retry=RetryPolicy(), sleep=SLEEP)
        try:
            ctx = Context(Hal(transport), style, as_json)
            result = args.runner(args, ctx, out, err)
        finally:
            transport.close()
    except BrokerError as exc:
        if as_json:
            error: Dict[str, Any] = {"message": str(exc)}
            if exc.status is not None:
                error["status"] = exc.status
            print(json.dumps({"error": error}, indent=2), file=out)
        else:
            print(style.red(str(exc)), file=err)
        return 1
    if isinstance(result, int):
        return result
    if result.text:
        print(result.text, file=out if result.ok else err)
    return 0 if result.ok else 1
