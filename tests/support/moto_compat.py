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


def main(argv):
    for _name, fn in PATCHES:
        fn()
    return server.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
