"""Cloud Map namespaces, services and instances; Route 53 hosted zones."""

from __future__ import annotations

from costguard.pricing.estimators import prices
from costguard.pricing.estimators.fargate import ECS_SERVICE_TYPES, running_task_hours
from costguard.pricing.model import CostComponent
from costguard.pricing.pricebook import HOURS_PER_MONTH
from costguard.pricing.values import as_list, text


@prices(
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    "aws:servicediscovery/publicDnsNamespace:PublicDnsNamespace",
    "aws-native:servicediscovery:PrivateDnsNamespace",
    "aws-native:servicediscovery:PublicDnsNamespace",
)
def dns_namespace(resource, props, ctx):
    # A DNS namespace creates a Route 53 hosted zone, billed per zone-month.
    return [CostComponent.of("Route 53 hosted zone", 1, ctx.book["route53_hosted_zone"])]


@prices("aws:route53/zone:Zone", "aws-native:route53:HostedZone")
def hosted_zone(resource, props, ctx):
    return [CostComponent.of("Hosted zone", 1, ctx.book["route53_hosted_zone"])]


@prices("aws:servicediscovery/service:Service", "aws-native:servicediscovery:Service")
def discovery_service(resource, props, ctx):
    instances = ctx.usage["cloudmap_instances"]
    if instances < 0:
        instances = _registered_tasks(resource, props, ctx)
    components = [CostComponent.of("Registered instances", instances, ctx.book["cloudmap_instance_month"])]
    calls = ctx.usage["cloudmap_discovery_calls_per_month"]
    if calls:
        components.append(
            CostComponent.of(
                "Discovery API calls", calls / 1e6, ctx.book["cloudmap_discovery_calls"], "usage"
            )
        )
    return components


@prices("aws:servicediscovery/instance:Instance", "aws-native:servicediscovery:Instance")
def discovery_instance(resource, props, ctx):
    return [CostComponent.of("Registered instance", 1, ctx.book["cloudmap_instance_month"])]


def _registered_tasks(resource, props, ctx) -> float:
    """Average instances = running tasks of the ECS services whose serviceRegistries point here."""
    by_arn, by_dependency = ctx.memo("ecs_registrations", lambda: _registrations(ctx))
    arn = text(props.get("arn"))
    services = list(by_arn.get(arn, ())) if arn else []
    services += [s for s in by_dependency.get(resource.urn, ()) if s not in services]
    if not services:
        ctx.note("no ECS service registers into it: 1 instance assumed")
        return 1.0
    return sum(running_task_hours(s, s_props, ctx) for s, s_props in services) / HOURS_PER_MONTH


def _registrations(ctx):
    """ECS services by the registry ARN they register into, or (ARN unknown) by what they depend on."""
    by_arn, by_dependency = {}, {}
    for service, service_props in ctx.index.of_type(*ECS_SERVICE_TYPES):
        for registry in as_list(service_props.get("serviceRegistries")):
            target = text(registry.get("registryArn")) if isinstance(registry, dict) else None
            if target:
                by_arn.setdefault(target, []).append((service, service_props))
            else:
                for dep in service.dependencies:
                    by_dependency.setdefault(dep, []).append((service, service_props))
    return by_arn, by_dependency
