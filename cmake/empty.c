/* Placeholder translation unit for an area that has no sources yet. */
typedef int as_empty_area_unit;
