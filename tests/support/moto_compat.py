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


# --- EC2 (launch templates, security groups) -------------------------------------------------


@patch
def ec2_launch_template_data_excludes_template_tags():
    """CreateLaunchTemplate's own TagSpecifications (resource type `launch-template`) tag the
    template. AWS never copies them into the version's LaunchTemplateData (that list only holds
    instance/volume/network-interface/spot-instances-request tags); moto 5.2.5 appends them there,
    which reads back as an extra `tag_specifications` entry."""
    from moto.ec2.models import launch_templates as lt

    original = lt.LaunchTemplateVersion.__init__

    def init(self, template, number, data, description):
        specs = data.get("TagSpecifications")
        if specs:
            data = dict(data)
            data["TagSpecifications"] = [
                s for s in specs if s.get("ResourceType") != "launch-template"
            ]
            if not data["TagSpecifications"]:
                del data["TagSpecifications"]
        original(self, template, number, data, description)

    lt.LaunchTemplateVersion.__init__ = init


@patch
def ec2_launch_template_tags_are_live():
    """DescribeLaunchTemplates reports the template's current tags (after CreateTags/DeleteTags).
    moto 5.2.5 answers with a snapshot taken at creation."""
    from moto.ec2.models import launch_templates as lt

    lt.LaunchTemplate.tags = property(
        lambda self: self.get_tags(), lambda self, _value: None
    )


@patch
def ec2_security_group_delete_dependencies():
    """AWS refuses DeleteSecurityGroup with `DependencyViolation: resource sg-... has a dependent
    object` while another group's rule references the group or a network interface still uses
    it (e.g. the ENI of a task or instance that is going away). moto 5.2.5 deletes it anyway."""
    from moto.ec2.exceptions import DependencyViolationError
    from moto.ec2.models import security_groups as sg

    original = sg.SecurityGroupBackend._delete_security_group

    def delete(self, vpc_id, group_id):
        for groups in self.groups.values():
            for group in groups.values():
                if group.id == group_id:
                    continue
                for rule in list(group.ingress_rules) + list(group.egress_rules):
                    if (rule.source_group or {}).get("GroupId") == group_id:
                        raise DependencyViolationError(
                            f"resource {group_id} has a dependent object"
                        )
        for eni in getattr(self, "enis", {}).values():
            if any(getattr(g, "id", g) == group_id for g in eni.group_set):
                raise DependencyViolationError(f"resource {group_id} has a dependent object")
        return original(self, vpc_id, group_id)

    sg.SecurityGroupBackend._delete_security_group = delete


@patch
def ec2_security_group_rule_description_of_group_references():
    """DescribeSecurityGroupRules reports the description of a rule whose source is another
    security group (UserIdGroupPairs[].Description). moto 5.2.5 reports descriptions only for CIDR
    sources."""
    from moto.ec2.models import security_groups as sg

    def description(self):
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    sg.SecurityGroupRule.description = property(description)


def main(argv):
    for _name, fn in PATCHES:
        fn()
    return server.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
