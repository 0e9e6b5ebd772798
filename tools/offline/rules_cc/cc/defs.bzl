"""Offline stand-in for @rules_cc//cc:defs.bzl.

Bazel 4.2.3 implements all C++ rules natively; this file only forwards to them
(the approach of Bazel's own mock_repos/rules_cc).  See tools/offline/README.md.
"""

def _add_tags(attrs):
    # Mirrors rules_cc 0.0.1: mark targets as created through the Starlark macros.
    if "tags" in attrs and attrs["tags"] != None:
        attrs["tags"] = attrs["tags"] + ["__CC_RULES_MIGRATION_DO_NOT_USE_WILL_BREAK__"]
    else:
        attrs["tags"] = ["__CC_RULES_MIGRATION_DO_NOT_USE_WILL_BREAK__"]
    return attrs

def cc_binary(**attrs):
    native.cc_binary(**_add_tags(attrs))

def cc_test(**attrs):
    native.cc_test(**_add_tags(attrs))

def cc_library(**attrs):
    native.cc_library(**_add_tags(attrs))

def cc_import(**attrs):
    native.cc_import(**_add_tags(attrs))

def cc_proto_library(**attrs):
    native.cc_proto_library(**_add_tags(attrs))

def fdo_prefetch_hints(**attrs):
    native.fdo_prefetch_hints(**_add_tags(attrs))

def fdo_profile(**attrs):
    native.fdo_profile(**_add_tags(attrs))

def cc_toolchain(**attrs):
    native.cc_toolchain(**_add_tags(attrs))

def cc_toolchain_suite(**attrs):
    native.cc_toolchain_suite(**_add_tags(attrs))

def objc_library(**attrs):
    native.objc_library(**_add_tags(attrs))

def objc_import(**attrs):
    native.objc_import(**_add_tags(attrs))
