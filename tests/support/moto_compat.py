"""The local AWS: moto's server, plus the few compatibility fixes this project's tests need.

Every moto process the project starts (tests, scripts/moto, the main job) runs through this file:
`python tests/support/moto_compat.py -H 127.0.0.1 -p PORT` takes moto_server's arguments.

Rule: the provider is written to AWS's documented behaviour, never to a moto quirk. When a test
needs a round-trip that moto does not implement (or implements differently from AWS), the gap is
closed HERE, in one place, with a note saying what AWS does and which moto version lacks it. Each
patch is a small function registered in PATCHES; the list below is the whole inventory.
"""

import sys

from moto import server

# (name, function) pairs; each function patches moto in place and documents the AWS behaviour.
PATCHES = []


def patch(fn):
    PATCHES.append((fn.__name__, fn))
    return fn


# --- Auto Scaling and ECS capacity (awsecs_autoscaling_group, awsecs_ecs_capacity_provider) ------


@patch
def autoscaling_scales_in_once_protection_is_cleared():
    """AWS keeps reconciling a group to its desired capacity: when scale-in protection is removed
    from instances of a group running above its desired capacity, Auto Scaling terminates the
    excess. moto 5.2.5 scales in only when the desired capacity changes, so instances that were
    protected during a scale-to-zero are never terminated."""
    from moto.autoscaling.models import AutoScalingBackend

    original = AutoScalingBackend.set_instance_protection

    def set_instance_protection(self, group_name, instance_ids, protected_from_scale_in):
        original(self, group_name, instance_ids, protected_from_scale_in)
        group = self.autoscaling_groups.get(group_name)
        if group is not None and not protected_from_scale_in:
            group.set_desired_capacity(group.desired_capacity)

    AutoScalingBackend.set_instance_protection = set_instance_protection


@patch
def autoscaling_delete_refuses_groups_with_instances():
    """AWS DeleteAutoScalingGroup fails with ResourceInUse while the group still has instances,
    unless ForceDelete is true (then the instances are terminated with the group, protected or
    not). moto 5.2.5 deletes the group anyway and leaves protected instances behind."""
    from moto.autoscaling.exceptions import AutoscalingClientError
    from moto.autoscaling.responses import AutoScalingResponse

    original = AutoScalingResponse.delete_auto_scaling_group

    def delete_auto_scaling_group(self):
        name = self._get_param("AutoScalingGroupName")
        group = self.autoscaling_backend.autoscaling_groups.get(name)
        if group is not None and group.instance_states:
            if not self._get_bool_param("ForceDelete", False):
                raise AutoscalingClientError(
                    "ResourceInUse",
                    "You cannot delete an AutoScalingGroup while there are instances or "
                    "pending Spot instance request(s) still in the group.",
                )
            for state in group.instance_states:
                state.protected_from_scale_in = False
        return original(self)

    AutoScalingResponse.delete_auto_scaling_group = delete_auto_scaling_group


@patch
def ecs_capacity_provider_tags_its_auto_scaling_group():
    """AWS: creating a capacity provider for an Auto Scaling group adds the AmazonECSManaged tag to
    the group (documented on aws_ecs_capacity_provider; hashicorp/aws issue #12582). moto 5.2.5
    does not, so the provider's handling of that tag could not be exercised."""
    from moto.autoscaling.models import autoscaling_backends
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.create_capacity_provider

    def create_capacity_provider(self, name, asg_details, tags):
        provider = original(self, name, asg_details, tags)
        arn = (asg_details or {}).get("autoScalingGroupArn") or ""
        group_name = arn.split("autoScalingGroupName/")[-1]
        backend = autoscaling_backends[self.account_id][self.region_name]
        group = backend.autoscaling_groups.get(group_name)
        if group is not None and not any(t["Key"] == "AmazonECSManaged" for t in group.tags):
            backend.create_or_update_tags(
                [
                    {
                        "ResourceId": group.name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "AmazonECSManaged",
                        "Value": "",
                        "PropagateAtLaunch": True,
                    }
                ]
            )
        return provider

    EC2ContainerServiceBackend.create_capacity_provider = create_capacity_provider


@patch
def ecs_unknown_capacity_provider_is_a_client_error():
    """AWS answers DeleteCapacityProvider and UpdateCapacityProvider for a provider that does not
    exist with ClientException "The specified capacity provider does not exist." moto 5.2.5 fails
    with an internal error (HTTP 500)."""
    from moto.ecs.exceptions import EcsClientException
    from moto.ecs.models import EC2ContainerServiceBackend

    for method in ("delete_capacity_provider", "update_capacity_provider"):
        original = getattr(EC2ContainerServiceBackend, method)

        def checked(self, name_or_arn, *args, _original=original, **kwargs):
            if self._get_provider(name_or_arn) is None:
                raise EcsClientException("The specified capacity provider does not exist.")
            return _original(self, name_or_arn, *args, **kwargs)

        setattr(EC2ContainerServiceBackend, method, checked)


def main(argv):
    for _name, fn in PATCHES:
        fn()
    return server.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
