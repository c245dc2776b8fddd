#!/bin/sh
# Passes a test, then crashes before its plan (as a segfault would).
echo "ok 1 - before the crash"
kill -SEGV $$
echo "ok 2 - after the crash"
echo "1..2"
