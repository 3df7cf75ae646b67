#!/bin/sh
# Runs the feedwatch binary under valgrind for `make check-valgrind`: any
# invalid access or definite leak makes it exit 99, which fails the test.
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --track-fds=no "$FEEDWATCH_REAL" "$@"
