"""Type tokens as pricing compares them: aws-native tokens in any letter case, others exactly.

The aws-native provider has spelled one CloudFormation type several ways: module names in
CloudFormation case in its first releases (`aws-native:EC2:...`, lowercased in 2021: pulumi-aws-native
issue #53), and resource names with CloudFormation's upper-case initialisms until v1.0 lowercased them
(`VPCEndpoint` -> `VpcEndpoint`, `EIP` -> `Eip`, `WebACL` -> `WebAcl`, `DBInstance` -> `DbInstance`:
pulumi-aws-native PR #999). CloudFormation type names are unique without case, so an aws-native token
compared without case finds its estimator (or its free listing) whatever the provider version, and
nothing else. Classic `aws:` tokens keep their exact spelling: their pre-v6 names are listed where an
estimator covers them. The policy pack matches the same way (policies/support.py `type_key`);
costguard keeps its own copy because it must not depend on the pack.
"""

from __future__ import annotations

from typing import Any

NATIVE_PREFIX = "aws-native:"


def type_key(type_: str) -> str:
    """The token to look a type up by: an aws-native token lowercased, any other as it is."""
    return type_.lower() if type_.startswith(NATIVE_PREFIX) else type_


class TypeMap(dict):
    """A dict keyed by type token, in which aws-native tokens match in any letter case."""

    def __setitem__(self, type_: str, value: Any) -> None:
        super().__setitem__(type_key(type_), value)

    def __getitem__(self, type_: str) -> Any:
        return super().__getitem__(type_key(type_))

    def __contains__(self, type_: object) -> bool:
        return isinstance(type_, str) and super().__contains__(type_key(type_))

    def get(self, type_: str, default: Any = None) -> Any:
        return super().get(type_key(type_), default) if isinstance(type_, str) else default

    def setdefault(self, type_: str, default: Any = None) -> Any:
        return super().setdefault(type_key(type_), default)
