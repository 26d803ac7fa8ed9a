/* A program that uses an installed alloyscout through its public headers only (built by
 * tests/install/test_install.sh with pkg-config and with find_package). It
 *   1. finds the shipped data with as_data_path and runs workflow A's cross-validation on
 *      mpea_synthesis.csv with the default options (seed 1), printing "auc <pooled> <mean>";
 *   2. computes the EAM energy of a 3x3x3 fcc Cu supercell (a = 3.615 Å) with the oracle API,
 *      "eam:Cu" and "eam:<setfl>" after writing the Zhou 2004 Cu setfl file to argv[1],
 *      printing "energy_zhou <E>" and "energy_setfl <E>" (eV, 17 digits), and the structure as
 *      a LAMMPS data file to argv[2], so that the test can run LAMMPS on the same input.
 * Usage: consumer SETFL_OUT DATA_OUT. Exit 0 on success, 1 with a message on failure. */
#include <stdio.h>
#include <string.h>

#include <alloyscout/alloyscout.h>

static int fail(const char *what, as_status st)
{
    fprintf(stderr, "consumer: %s: %s\n", what, *as_errmsg() ? as_errmsg() : as_strerror(st));
    return 1;
}

static int workflow_a(void)
{
    char *path = NULL;
    as_status st = as_data_path("mpea_synthesis.csv", &path);
    if (st != AS_OK)
        return fail("as_data_path", st);
    printf("data %s\n", path);
    as_table *t = NULL;
    as_schema *schema = NULL;
    as_dataset *ds = NULL;
    as_synth_result *res = NULL;
    int rc = 1;
    if ((st = as_table_read_csv(path, &t)) != AS_OK) {
        fail("as_table_read_csv", st);
        goto done;
    }
    as_schema_options so = as_schema_options_default();
    so.target = "single_phase";
    so.group = "alloy";
    so.drop = "system,n_sources,label_agreement,formula";
    if ((st = as_schema_infer(t, &so, &schema)) != AS_OK) {
        fail("as_schema_infer", st);
        goto done;
    }
    if ((st = as_schema_encode(schema, t, 1, &ds)) != AS_OK) {
        fail("as_schema_encode", st);
        goto done;
    }
    if ((st = as_synth_add_descriptors(ds, t, "formula", NULL)) != AS_OK) {
        fail("as_synth_add_descriptors", st);
        goto done;
    }
    as_synth_options opt = as_synth_options_default();
    opt.seed = 1;
    if ((st = as_synth_cv(ds, &opt, &res)) != AS_OK) {
        fail("as_synth_cv", st);
        goto done;
    }
    printf("rows %zu positive %zu\n", res->n_samples, res->n_positive);
    printf("auc %.6f %.6f\n", res->pooled.auc, res->mean.auc);
    rc = 0;
done:
    as_synth_result_free(res);
    as_dataset_free(ds);
    as_schema_free(schema);
    as_table_free(t);
    as_free(path);
    return rc;
}

/* 3x3x3 conventional fcc cells of Cu. */
static as_structure *fcc_cu(double a, int m)
{
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    as_structure *s = NULL;
    if (as_structure_create((size_t)(4 * m * m * m), 1, &s) != AS_OK)
        return NULL;
    snprintf(s->symbols[0], AS_SYMBOL_MAX, "Cu");
    memset(s->cell, 0, sizeof s->cell);
    s->cell[0] = s->cell[4] = s->cell[8] = a * m;
    size_t k = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            for (int l = 0; l < m; l++)
                for (int b = 0; b < 4; b++, k++) {
                    s->pos[3 * k + 0] = a * (i + basis[b][0]);
                    s->pos[3 * k + 1] = a * (j + basis[b][1]);
                    s->pos[3 * k + 2] = a * (l + basis[b][2]);
                    s->species[k] = 0;
                }
    return s;
}

static int energy(const char *spec, const as_structure *s, const char *label)
{
    as_oracle *o = NULL;
    as_status st = as_oracle_create(spec, NULL, &o);
    if (st != AS_OK)
        return fail(spec, st);
    double e = 0;
    st = as_oracle_energy(o, s, &e, NULL);
    as_oracle_free(o);
    if (st != AS_OK)
        return fail(spec, st);
    printf("%s %.17g\n", label, e);
    return 0;
}

static int eam(const char *setfl, const char *data)
{
    as_structure *s = fcc_cu(3.615, 3);
    if (!s)
        return fail("as_structure_create", AS_ENOMEM);
    const char *el[1] = {"Cu"};
    as_status st = as_eam_write_setfl(el, 1, 0, 0, setfl);
    if (st != AS_OK) {
        as_structure_free(s);
        return fail("as_eam_write_setfl", st);
    }
    char spec[4200];
    snprintf(spec, sizeof spec, "eam:%s", setfl);
    int rc = energy("eam:Cu", s, "energy_zhou") || energy(spec, s, "energy_setfl");
    FILE *f = rc ? NULL : fopen(data, "w");
    if (!rc && !f)
        rc = fail(data, AS_EIO);
    if (f) {
        fprintf(f, "fcc Cu from consumer.c\n\n%zu atoms\n1 atom types\n\n", s->n);
        fprintf(f, "0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n\n", s->cell[0], s->cell[4],
                s->cell[8]);
        fprintf(f, "Masses\n\n1 63.546\n\nAtoms # atomic\n\n");
        for (size_t i = 0; i < s->n; i++)
            fprintf(f, "%zu 1 %.17g %.17g %.17g\n", i + 1, s->pos[3 * i], s->pos[3 * i + 1],
                    s->pos[3 * i + 2]);
        fclose(f);
    }
    as_structure_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: consumer SETFL_OUT DATA_OUT\n");
        return 2;
    }
    printf("alloyscout %s\n", as_version());
    if (workflow_a())
        return 1;
    return eam(argv[1], argv[2]);
}
