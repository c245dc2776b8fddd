#!/bin/sh
# Every result passes and it exits 0, but UndefinedBehaviorSanitizer (not
# halting) printed a finding.
echo "ok 1 - the only result"
echo "vault/x.c:12:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'" >&2
echo "1..1"
