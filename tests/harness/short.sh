#!/bin/sh
# Plans three results, prints one, exits 0.
echo "1..3"
echo "ok 1 - the only result"
