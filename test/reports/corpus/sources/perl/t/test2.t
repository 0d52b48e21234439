# Test2::V0 with buffered subtests (`ok 1 - name {` ... `}`), unnamed assertions, one failing.
use Test2::V0;

ok(1);
ok(1);
subtest parser => sub {
    is(length(''), 0, 'handles empty input');
    ok(1);
};
subtest writer => sub {
    is(length('x'), 0, 'handles empty input');
    ok(1);
};
done_testing;
