#!/usr/bin/env python3
"""slab_debug.py <slab_attrs_raw>: one row per cache of the debug-related /sys/kernel/slab attributes."""
import collections, sys

cols = ['object_size', 'slab_size', 'order', 'objs_per_slab', 'align', 'usersize', 'sanity_checks',
        'red_zone', 'poison', 'store_user', 'trace', 'destroy_by_rcu', 'hwcache_align', 'ctor']
rows = collections.defaultdict(dict)
for line in open(sys.argv[1], errors='replace'):
    path, _, val = line.rstrip('\n').partition(':')
    parts = path.split('/')          # /sys/kernel/slab/<cache>/<attr>
    if len(parts) < 6:
        continue
    v = val.split()
    rows[parts[4]][parts[5]] = v[0] if v else '-'
print('name\t' + '\t'.join(cols))
for n in sorted(rows):
    print(n + '\t' + '\t'.join(rows[n].get(c, '-') for c in cols))
