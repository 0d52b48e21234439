# Test::More: unnamed assertions, the same names in two subtests, one failing, a skip, a todo.
use strict;
use warnings;
use Test::More;

ok(1);
ok(1);
subtest 'parser' => sub {
    is(length(''), 0, 'handles empty input');
    ok(1, 'handles unicode');
};
subtest 'writer' => sub {
    is(length('x'), 0, 'handles empty input');
    ok(1, 'handles unicode');
};
SKIP: {
    skip 'no network', 1;
    ok(0, 'fetches');
}
TODO: {
    local $TODO = 'not done';
    ok(0, 'future feature');
}
done_testing();
