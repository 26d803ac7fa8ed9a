#!/usr/bin/python3
"""Independent reference for `alloyscout orr --oracle ase:emt`: the same slab and adsorbates
built and relaxed directly in ASE (fcc111, add_adsorbate, FixAtoms, FIRE or BFGS to the same
fmax), with ASE's EMT. usage: orr_ase_ref.py OURS.json CORE [OPTIMIZER]
Prints ours vs ASE for every site and exits 1 when an adsorption energy differs by more than
TOL or the lowest site differs where the two lowest sites are further apart than 2 TOL."""
import json
import sys

import numpy as np
from ase import Atoms
from ase.build import add_adsorbate, bulk, fcc111, molecule
from ase.calculators.emt import EMT
from ase.constraints import FixAtoms
from ase.optimize import BFGS, FIRE

ours = json.load(open(sys.argv[1]))
core = sys.argv[2]
optname = sys.argv[3] if len(sys.argv) > 3 else 'FIRE'
Opt = {'FIRE': FIRE, 'BFGS': BFGS}[optname]
# energy error of a relaxation stopped at max force fmax: about fmax^2 / (2 k) per soft mode
# (k ~ 1 eV/Å² for an adsorbate), two relaxations per dE: a few 1e-4 eV at fmax 0.01; 5e-3 eV
# leaves room for BFGS taking another path to the same minimum
TOL = 5e-3
fmax = ours['fmax_ev_ang']
sysj = ours['systems'][0]
L, na, nb = ours['layers'], ours['size_a'], ours['size_b']
fixed, nshell, vac = ours['fixed_layers'], ours['shell_layers'], ours['vacuum_ang']


def relax(atoms):
    atoms.calc = EMT()
    Opt(atoms, logfile=None).run(fmax=fmax, steps=2000)
    return atoms.get_potential_energy()


# the core's lattice constant, found independently (golden section on ASE's EMT bulk energy)
def ebulk(a):
    b = bulk(core, 'fcc', a=a, cubic=True)
    b.calc = EMT()
    return b.get_potential_energy()


lo, hi = 0.9 * sysj['a_ang'], 1.1 * sysj['a_ang']
g = (np.sqrt(5) - 1) / 2
while hi - lo > 1e-7:
    m1, m2 = hi - g * (hi - lo), lo + g * (hi - lo)
    if ebulk(m1) < ebulk(m2):
        hi = m2
    else:
        lo = m1
a_ase = 0.5 * (lo + hi)
print('a: ours %.6f ASE %.6f Å (diff %.1e)' % (sysj['a_ang'], a_ase, sysj['a_ang'] - a_ase))
bad = abs(sysj['a_ang'] - a_ase) > 1e-3
a = sysj['a_ang']  # the same a for the slabs, so the comparison below is of the ORR stage

slab = fcc111(core, size=(na, nb, L), a=a, vacuum=vac)  # tags: 1 = top layer .. L = bottom
tags = slab.get_tags()
sym = slab.get_chemical_symbols()
for i, t in enumerate(tags):
    if t <= nshell:
        sym[i] = 'Pt'
slab.set_chemical_symbols(sym)
slab.set_constraint(FixAtoms(mask=tags > L - fixed))
e_slab = relax(slab)

h2o = molecule('H2O')
h2o.set_cell([10, 10, 10])
h2o.center()
h2o.pbc = True
e_h2o = relax(h2o)
h2 = molecule('H2')
h2.set_cell([10, 10, 10])
h2.center()
h2.pbc = True
e_h2 = relax(h2)
print('E(slab) ours %.6f ASE %.6f; E(H2O) ours %.6f ASE %.6f; E(H2) ours %.6f ASE %.6f' %
      (sysj['e_slab_ev'], e_slab, sysj['e_h2o_ev'], e_h2o, sysj['e_h2_ev'], e_h2))

top = [i for i in range(len(slab)) if tags[i] == 1]
ztop = slab.positions[top, 2].max()
# add_adsorbate measures the height from its 'top layer atom index', else the highest atom
idx = slab.info.get('adsorbate_info', {}).get('top layer atom index')
zref = ztop if idx is None else slab.positions[idx, 2]
site_ase = {'fcc': 'fcc', 'hcp': 'hcp', 'top': 'ontop'}
worst = 0.0
for ads, ref in (('O', e_h2o - e_h2), ('OH', e_h2o - 0.5 * e_h2)):
    de = {}
    for site in ('fcc', 'hcp', 'top'):
        s = slab.copy()
        s.set_constraint(FixAtoms(mask=tags > L - fixed))
        h = ours['height_top_ang'] if site == 'top' else ours['height_hollow_ang']
        mol = Atoms('O') if ads == 'O' else Atoms('OH', positions=[(0, 0, 0), (0, 0, ours['d_oh_ang'])])
        add_adsorbate(s, mol, h + ztop - zref, site_ase[site])
        de[site] = relax(s) - e_slab - ref
        mine = sysj['sites'][ads][site]['de_ev']
        worst = max(worst, abs(mine - de[site]))
        print('%-2s %-3s ours %.6f ASE(%s) %.6f diff %+.2e' % (ads, site, mine, optname, de[site],
                                                              mine - de[site]))
        if abs(mine - de[site]) > TOL:
            bad = True
    order = sorted(de, key=de.get)
    gap = de[order[1]] - de[order[0]]
    mine = sysj['sites'][ads]['best_site']
    print('%-2s lowest site: ours %s ASE %s (gap to the next %.2e eV)' % (ads, mine, order[0], gap))
    if mine != order[0] and gap > 2 * TOL:
        bad = True
print('largest |dE ours - ASE| = %.2e eV (tolerance %g)' % (worst, TOL))
sys.exit(1 if bad else 0)
