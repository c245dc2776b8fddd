#!/bin/sh
# Uses lib.sh; one check's result is shown, another's is lost in a pipe:
# done_testing counts it failed (the results written down are more than
# the ones counted).
. "$(dirname "$0")/../cli/lib.sh"
ok "a result shown" true
ok "a result in a pipe, shown to no one" true | cat > /dev/null
done_testing
