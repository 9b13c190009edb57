"""``trove-gtid gtid``: GTID-set algebra for operators."""

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid

OPERATIONS = {
    'normalize': (1, lambda a: a),
    'union': (2, lambda a, b: a | b),
    'subtract': (2, lambda a, b: a - b),
    'intersect': (2, lambda a, b: a & b),
    'contains': (2, None),
}


def add_commands(sub):
    parser = sub.add_parser(
        'gtid', help='normalize, combine and compare MySQL GTID sets',
        description='Sets are read as servers print them; results are '
                    'canonical. "contains A B" exits 0 when B is a subset '
                    'of A, 1 otherwise.')
    parser.add_argument('operation', choices=sorted(OPERATIONS))
    parser.add_argument('sets', nargs='+', metavar='SET')
    parser.set_defaults(func=run)


def run(args):
    arity, function = OPERATIONS[args.operation]
    if len(args.sets) != arity:
        raise exceptions.InvalidInput(
            'gtid %s takes %d set%s, got %d' % (
                args.operation, arity, 's' if arity > 1 else '',
                len(args.sets)))
    sets = [gtid.GtidSet.parse(text) for text in args.sets]
    if args.operation == 'contains':
        contained = sets[1] <= sets[0]
        print('yes' if contained else 'no: missing %s' % (sets[1] - sets[0]))
        return 0 if contained else 1
    print(function(*sets))
    return 0
