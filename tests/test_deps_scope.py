"""Which version a bare crate name means (`deps.scope.preferred_versions`): the one rule
behind search defaults, outdated-name lookups and `--crate NAME`."""

from __future__ import annotations

from rustrag.deps.scope import ProjectScope, preferred_versions, project_scope
from rustrag.model import CrateSource


def _crate(name: str, version: str, source: str = "registry", **deps: str) -> CrateSource:
    return CrateSource(
        name=name,
        version=version,
        root=f"/src/{name}-{version}",
        source=source,
        dependencies=dict(deps),
    )


def test_a_project_gets_the_version_it_names_not_the_newest() -> None:
    clap3, clap4 = _crate("clap", "3.2.23"), _crate("clap", "4.0.32")
    app = _crate("app", "0.1.0", "workspace", clap="clap@3.2.23", clap4="clap@4.0.32")
    scope = project_scope([app, clap3, clap4])
    assert scope.tier(clap3) == 1 and scope.tier(clap4) == 2  # clap4 is a renamed dependency
    assert preferred_versions([clap4, clap3, app], scope)["clap"] == "clap@3.2.23"


def test_a_direct_dependency_beats_a_newer_transitive_one() -> None:
    nom4, nom7 = _crate("nom", "4.2.3"), _crate("nom", "7.1.3")
    parser = _crate("parser", "1.0.0", nom="nom@7.1.3")
    app = _crate("app", "0.1.0", "workspace", nom="nom@4.2.3", parser="parser@1.0.0")
    scope = project_scope([app, parser, nom4, nom7])
    assert scope.tier(nom7) == 3
    assert preferred_versions([nom7, nom4], scope)["nom"] == "nom@4.2.3"


def test_members_or_strangers_of_one_name_give_the_newest_release() -> None:
    # a corpus listing every clap as a member, in any order: the newest in semver order
    members = [_crate("clap", v, "workspace") for v in ("4.0.32", "2.34.0", "5.0.0-rc.1", "3.2.23")]
    scope = project_scope(members)
    assert {scope.tier(c) for c in members} == {0}
    assert preferred_versions(members, scope)["clap"] == "clap@5.0.0-rc.1"
    released = [c for c in members if "-" not in c.version]
    assert preferred_versions(released, scope)["clap"] == "clap@4.0.32"
    # indexed but outside any scope (no lockfile read): newest, 10 after 9
    strangers = [_crate("mio", "0.6.23"), _crate("mio", "0.10.0"), _crate("mio", "0.8.5")]
    assert preferred_versions(strangers, ProjectScope())["mio"] == "mio@0.10.0"
