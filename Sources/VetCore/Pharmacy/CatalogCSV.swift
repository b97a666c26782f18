/// The catalog's CSV form, read by `vetcentral catalog import` and written by `vetcentral catalog
/// export`; the demo catalog (`catalogs/demo-catalog.csv`) is in the same form.
///
/// UTF-8, comma-separated, RFC 4180 quoting (a field with a comma, a quote or a line break is
/// quoted, a quote inside is doubled), a header row with these columns in any order:
///
/// | column | content |
/// |---|---|
/// | `sku` | the item's code, 1–30 of A–Z 0–9 `-` `_` `.`; upper-cased; unique in the file |
/// | `nombre` | the name as the counter reads it, 2–120 characters |
/// | `tipo` | a `CatalogKind` raw value: medicamento, vacuna, antiparasitario, insumo, alimento, accesorio, consulta, vacunacion, cirugia, hospitalizacion, analisis, bano_corte, otro_servicio |
/// | `categoria` | free text, 1–60 characters (Antibióticos, Vacunas caninas, Cirugías…) |
/// | `presentacion` | free text, up to 120 characters (Caja x 100 tabletas de 50 mg); may be empty |
/// | `unidad_base` | what quantities count (tableta, ml, unidad, dosis…); empty: unidad |
/// | `unidad_sunat` | a SUNAT catálogo 03 code (`NIU`, `ZZ`, `BX`, `MLT`…) |
/// | `afectacion_igv` | a catálogo 07 code: `10` gravado, `20` exonerado, `30` inafecto |
/// | `precio` | soles with IGV, per sale unit (`35.50`); required for a new item; empty keeps the price in force |
/// | `codigos_barra` | barcodes separated by `|` (EAN-13/EAN-8/GTIN-14 with a valid check digit); may be empty |
/// | `desarme_sku` | the SKU of the item a pack opens into (desarme); may be empty |
/// | `unidades_por_empaque` | how many of `desarme_sku` a pack holds (> 1); required with `desarme_sku` |
/// | `lotes`, `controlado`, `receta` | `si` or `no` (empty: no) |
/// | `activo` | `si` or `no` (empty: si) |
public enum CatalogCSV {
    public static let columns = [
        "sku", "nombre", "tipo", "categoria", "presentacion", "unidad_base", "unidad_sunat", "afectacion_igv", "precio",
        "codigos_barra", "desarme_sku", "unidades_por_empaque", "lotes", "controlado", "receta", "activo",
    ]
}
