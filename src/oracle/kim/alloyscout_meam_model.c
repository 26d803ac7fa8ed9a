/* A KIM-API portable model whose parameter files are read at load time (not embedded): the
 * alloyscout "meam" oracle assembles 2NN-MEAM element, library and parameter files in a scratch
 * directory and names it in $ALLOYSCOUT_MEAM_DIR; this module is found by the KIM-API through
 * $KIM_API_PORTABLE_MODELS_DIR/<ALLOYSCOUT_MEAM_MODEL>/libkim-api-portable-model.so (a link the
 * oracle makes) and hands the three files to the MEAM_LAMMPS__MD driver of openkim-models.
 *
 * The exported data follow the KIM-API 2 shared-library schema, version 2
 * (kim-api src/KIM_SharedLibrarySchema.hpp: item type, name, create language and routine,
 * driver name, simulator-model spec file, parameter files, metadata files). The KIM-API's
 * enumeration constants are read from the loaded libkim-api.so.2 in the constructor. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *fileName;
    unsigned int fileLength;
    const unsigned char *filePointer;
} kim_embedded_file;

typedef struct {
    int itemType; /* KIM::CollectionItemType */
    const char *itemName;
    int createLanguageName; /* KIM::LanguageName */
    void *createRoutine;
    const char *driverName;
    const kim_embedded_file *simulatorModelSpecificationFile;
    int numberOfParameterFiles;
    const kim_embedded_file *parameterFiles;
    int numberOfMetadataFiles;
    const kim_embedded_file *metadataFiles;
} kim_schema_v2;

__attribute__((visibility("default"))) int kim_shared_library_schema_version = 2;
__attribute__((visibility("default"))) kim_schema_v2 kim_shared_library_schema;

static kim_embedded_file files[3];
static char item_name[256];

static unsigned char *slurp(const char *dir, const char *name, unsigned int *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long L = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)L + 1);
    if (b && fread(b, 1, (size_t)L, f) != (size_t)L) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[L] = '\0';
        *len = (unsigned int)L;
    }
    return b;
}

__attribute__((constructor)) static void load(void)
{
    const char *dir = getenv("ALLOYSCOUT_MEAM_DIR");
    const char *name = getenv("ALLOYSCOUT_MEAM_MODEL");
    void *kim = dlopen("libkim-api.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!kim)
        kim = dlopen("libkim-api.so.2", RTLD_NOW);
    const int *pm = kim ? dlsym(kim, "_ZN3KIM20COLLECTION_ITEM_TYPE13portableModelE") : NULL;
    const int *cpp = kim ? dlsym(kim, "_ZN3KIM13LANGUAGE_NAME3cppE") : NULL;
    if (!dir || !name || !pm || !cpp)
        return; /* the schema stays empty: the KIM-API refuses the item */
    static const char *names[3] = {"elems.meam", "library.meam", "param.meam"};
    for (int k = 0; k < 3; k++) {
        files[k].fileName = names[k];
        files[k].filePointer = slurp(dir, names[k], &files[k].fileLength);
        if (!files[k].filePointer)
            return;
    }
    snprintf(item_name, sizeof item_name, "%s", name);
    kim_shared_library_schema.itemType = *pm;
    kim_shared_library_schema.itemName = item_name;
    kim_shared_library_schema.createLanguageName = *cpp;
    kim_shared_library_schema.createRoutine = NULL;
    kim_shared_library_schema.driverName = "MEAM_LAMMPS__MD_249792265679_000";
    kim_shared_library_schema.simulatorModelSpecificationFile = NULL;
    kim_shared_library_schema.numberOfParameterFiles = 3;
    kim_shared_library_schema.parameterFiles = files;
    kim_shared_library_schema.numberOfMetadataFiles = 0;
    kim_shared_library_schema.metadataFiles = NULL;
}
