import Testing
@testable import VetCore

@Suite struct CatalogCSVReadingTests {
    func fields(_ text: String) -> [[String]] { CatalogCSV.records(Array(text.utf8)).records.map(\.fields) }

    @Test func quotedFieldsDoubledQuotesAndLineBreaks() {
        let read = CatalogCSV.records(Array("a,\"b,c\",\"d \"\"e\"\"\"\r\n\"f\ng\",h,\"\"\n".utf8))
        #expect(read.problems.isEmpty)
        #expect(read.records == [
            CatalogCSV.Record(line: 1, fields: ["a", "b,c", "d \"e\""]),
            CatalogCSV.Record(line: 2, fields: ["f\ng", "h", ""]),
        ])
    }

    @Test func recordsCarryThePhysicalLineTheyStartOn() {
        let text = "h1,h2\r\nx,\"uno\r\ndos\r\ntres\"\r\n\r\ny,z\rw,v\n"
        let read = CatalogCSV.records(Array(text.utf8))
        #expect(read.records.map(\.line) == [1, 2, 6, 7])
        #expect(read.records[1].fields == ["x", "uno\r\ndos\r\ntres"])
        #expect(read.records[3].fields == ["w", "v"])
    }

    @Test func byteOrderMarkAndMissingFinalBreak() {
        #expect(fields("\u{FEFF}sku,nombre\nA,B") == [["sku", "nombre"], ["A", "B"]])
    }

    @Test func rowsOfEmptyFieldsAreSkipped() {
        #expect(fields("a,b\n,\n\n\"\",\nc,d\n") == [["a", "b"], ["c", "d"]])
    }

    @Test func malformedRecordsAreProblemsAtTheirLine() {
        let read = CatalogCSV.records(Array("a,b\nx\"y,z\n\"p\"q,r\nok,1\n\"abierto,2\nsigue\n".utf8))
        #expect(read.records.map(\.fields) == [["a", "b"], ["ok", "1"]])
        #expect(read.problems.map(\.line) == [2, 3, 5])
        #expect(read.problems[0].message.contains("comilla dentro de un campo sin comillas"))
        #expect(read.problems[1].message.contains("después de las comillas"))
        #expect(read.problems[2].message.contains("comillas sin cerrar"))
    }

    @Test func textThatIsNotUTF8IsAProblemNotACrash() {
        // «Baño» in Latin-1, as a spreadsheet saves «CSV» by default.
        let read = CatalogCSV.records([0x61, 0x2C, 0x62, 0x0A, 0x42, 0x61, 0xF1, 0x6F, 0x2C, 0x31, 0x0A])
        #expect(read.records.map(\.fields) == [["a", "b"]])
        #expect(read.problems == [CatalogCSV.Problem(line: 2, message: "el texto no está en UTF-8 (guarde el archivo como «CSV UTF-8»)")])
    }
}

@Suite struct CatalogCSVValidationTests {
    static let header = CatalogCSV.columns.joined(separator: ",")

    /// A valid row; `overrides` replaces columns by name.
    static func row(_ overrides: [String: String] = [:]) -> String {
        let base: [String: String] = [
            "sku": "AMOX500", "nombre": "Amoxicilina 500 mg", "tipo": "medicamento", "categoria": "Antibióticos",
            "presentacion": "Caja x 100 tabletas", "unidad_base": "tableta", "unidad_sunat": "NIU", "afectacion_igv": "10",
            "precio": "35.50", "codigos_barra": "", "desarme_sku": "", "unidades_por_empaque": "", "lotes": "si",
            "controlado": "no", "receta": "si", "activo": "",
        ]
        return CatalogCSV.columns.map { CatalogCSV.quoted(overrides[$0] ?? base[$0]!) }.joined(separator: ",")
    }

    static func file(_ rows: [String]) -> String { ([header] + rows).joined(separator: "\n") + "\n" }

    func messages(_ rows: [String], existing: Set<String> = [], barcodes: [String: String] = [:]) -> [String] {
        CatalogCSV.validate(Self.file(rows), existingSKUs: existing, existingBarcodes: barcodes).problems.map(\.description)
    }

    @Test func aGoodLineBecomesATypedItem() throws {
        let result = CatalogCSV.validate(Self.file([Self.row(["sku": "amox500", "codigos_barra": "7750182000017|40170725"])]))
        #expect(result.problems.isEmpty)
        let item = try #require(result.entries.first)
        #expect(item.line == 2)
        #expect(item.item == CatalogLine(sku: "AMOX500", name: "Amoxicilina 500 mg", kind: .medicamento, category: "Antibióticos",
                                         presentation: "Caja x 100 tabletas", baseUnit: "tableta", unitCode: "NIU", igv: .gravado,
                                         price: Money(centimos: 3550), barcodes: ["7750182000017", "40170725"],
                                         tracksLots: true, controlled: false, prescription: true, active: true))
    }

    @Test func headerColumnsMayComeInAnyOrderAndCase() {
        let columns = CatalogCSV.columns.reversed()
        let base = Self.row().split(separator: ",", omittingEmptySubsequences: false).reversed()
        let text = columns.map { $0.uppercased() }.joined(separator: ",") + "\n" + base.joined(separator: ",") + "\n"
        let result = CatalogCSV.validate(text)
        #expect(result.problems.isEmpty)
        #expect(result.entries.first?.item.sku == "AMOX500")
    }

    @Test func missingUnknownAndRepeatedColumnsAreReportedAtLineOne() {
        let columns = CatalogCSV.columns.filter { $0 != "precio" } + ["costo", "sku"]
        let result = CatalogCSV.validate(columns.joined(separator: ",") + "\n" + Self.row() + "\n")
        #expect(result.entries.isEmpty)
        #expect(result.problems.map(\.line) == [1, 1, 1])
        #expect(result.problems[0].message.hasPrefix("columna desconocida «costo»"))
        #expect(result.problems[1].message == "la columna «sku» está repetida")
        #expect(result.problems[2].message == "faltan las columnas: precio")
    }

    @Test func anEmptyFileHasNoHeader() {
        #expect(CatalogCSV.validate("").problems == [CatalogCSV.Problem(line: 1, message: "el archivo está vacío: falta la fila de encabezados")])
        #expect(CatalogCSV.validate("\u{FEFF}\n\n").problems.first?.message.contains("vacío") == true)
    }

    @Test func theAcceptanceLines() {
        let rows = [
            Self.row(["sku": "A1", "precio": "12,3,4"]),
            Self.row(["sku": "A2"]),
            Self.row(["sku": "A2", "nombre": "Otro"]),
            Self.row(["sku": "A3", "unidad_sunat": "CAJA"]),
            Self.row(["sku": "A4", "afectacion_igv": "40"]),
            Self.row(["sku": "A5", "precio": "-3.00"]),
        ]
        #expect(messages(rows) == [
            "línea 2: precio inválido «12,3,4»: monto no válido (use soles con punto decimal, p. ej. 35.50)",
            "línea 4: el SKU A2 está repetido (ya está en la línea 3)",
            "línea 5: unidad SUNAT desconocida «CAJA» (no está en el catálogo 03: use NIU, ZZ, BX, MLT…)",
            "línea 6: afectación del IGV desconocida «40» (use 10 gravado, 20 exonerado o 30 inafecto)",
            "línea 7: el precio no puede ser negativo («-3.00»)",
        ])
    }

    @Test(arguments: [
        (["precio": "35.505"], "precio inválido «35.505»: el monto admite como máximo 2 decimales (use soles con punto decimal, p. ej. 35.50)"),
        (["precio": "treinta"], "precio inválido «treinta»: monto no válido (use soles con punto decimal, p. ej. 35.50)"),
        (["precio": "99999999999999"], "precio inválido «99999999999999»: monto demasiado grande (use soles con punto decimal, p. ej. 35.50)"),
        (["precio": ""], "falta el precio (es obligatorio para un artículo nuevo)"),
        (["tipo": "jarabe"], "tipo desconocido «jarabe» (use: medicamento, vacuna, antiparasitario, insumo, alimento, accesorio, consulta, vacunacion, cirugia, hospitalizacion, analisis, bano_corte, otro_servicio)"),
        (["sku": ""], "falta el SKU"),
        (["sku": "AMOX 500"], "SKU inválido «AMOX 500»: solo letras A–Z, dígitos, guion, guion bajo o punto"),
        (["sku": "AÑO1"], "SKU inválido «AÑO1»: solo letras A–Z, dígitos, guion, guion bajo o punto"),
        (["sku": String(repeating: "X", count: 31)], "el SKU tiene como máximo 30 caracteres"),
        (["nombre": "A"], "el nombre tiene de 2 a 120 caracteres (tiene 1)"),
        (["nombre": String(repeating: "ñ", count: 121)], "el nombre tiene de 2 a 120 caracteres (tiene 121)"),
        (["nombre": "Amoxicilina\n500"], "nombre: no puede tener saltos de línea ni caracteres de control"),
        (["categoria": ""], "falta la categoría"),
        (["categoria": String(repeating: "c", count: 61)], "la categoría tiene como máximo 60 caracteres (tiene 61)"),
        (["presentacion": String(repeating: "p", count: 121)], "la presentación tiene como máximo 120 caracteres (tiene 121)"),
        (["unidad_base": String(repeating: "u", count: 31)], "la unidad base tiene como máximo 30 caracteres (tiene 31)"),
        (["unidad_sunat": ""], "falta la unidad SUNAT (catálogo 03: NIU, ZZ, BX, MLT…)"),
        (["afectacion_igv": ""], "falta la afectación del IGV (10 gravado, 20 exonerado, 30 inafecto)"),
        (["codigos_barra": "7750182000018"], "el dígito de control del código de barras 7750182000018 no es correcto"),
        (["codigos_barra": "77501821"], "el dígito de control del código de barras 77501821 no es correcto"),
        (["codigos_barra": "775018200001"], "código de barras inválido «775018200001»: debe tener 8, 13 o 14 dígitos (EAN-8, EAN-13, GTIN-14)"),
        (["codigos_barra": "77501820000A7"], "código de barras inválido «77501820000A7»: debe tener 8, 13 o 14 dígitos (EAN-8, EAN-13, GTIN-14)"),
        (["codigos_barra": "7750182000017|7750182000017"], "el código de barras 7750182000017 está dos veces en la línea"),
        (["desarme_sku": "AMOX500", "unidades_por_empaque": "10"], "desarme_sku no puede ser el mismo artículo"),
        (["desarme_sku": "NOEXISTE", "unidades_por_empaque": "10"], "desarme_sku «NOEXISTE» no existe ni en el archivo ni en el catálogo"),
        (["desarme_sku": "TAB1"], "falta unidades_por_empaque (cuántas unidades de TAB1 trae el empaque)"),
        (["desarme_sku": "TAB1", "unidades_por_empaque": "1"], "unidades_por_empaque debe ser mayor que 1"),
        (["desarme_sku": "TAB1", "unidades_por_empaque": "0"], "unidades_por_empaque debe ser mayor que 1"),
        (["desarme_sku": "TAB1", "unidades_por_empaque": "-10"], "unidades_por_empaque «-10» no es un número entero"),
        (["desarme_sku": "TAB1", "unidades_por_empaque": "2.5"], "unidades_por_empaque «2.5» no es un número entero"),
        (["desarme_sku": "TAB1", "unidades_por_empaque": "99999999999999999999999"], "unidades_por_empaque no puede pasar de 100000"),
        (["unidades_por_empaque": "10"], "unidades_por_empaque sin desarme_sku: indique en qué artículo se desarma el empaque"),
        (["lotes": "quizás"], "lotes: «quizás» no es si ni no"),
        (["tipo": "consulta", "unidad_sunat": "ZZ", "lotes": "si"], "un servicio no lleva lotes (lotes debe ser no)"),
        (["tipo": "cirugia", "unidad_sunat": "ZZ", "lotes": "no", "controlado": "si"], "un servicio no es un medicamento controlado (controlado debe ser no)"),
        (["tipo": "bano_corte", "lotes": "no", "desarme_sku": "TAB1", "unidades_por_empaque": "10"], "un servicio no se desarma (desarme_sku debe estar vacío)"),
    ] as [([String: String], String)])
    func eachBadValueHasItsReason(overrides: [String: String], message: String) {
        let tablet = Self.row(["sku": "TAB1", "nombre": "Amoxicilina 500 mg tableta", "presentacion": "Tableta"])
        #expect(messages([tablet, Self.row(overrides)]) == ["línea 3: " + message])
    }

    @Test func aLineMayHaveSeveralProblemsAllReported() {
        #expect(messages([Self.row(["precio": "x", "unidad_sunat": "ZZZ", "afectacion_igv": "99"])]).count == 3)
    }

    @Test func anExistingItemMayOmitItsPriceAndUseExistingSKUsForDesarme() throws {
        let result = CatalogCSV.validate(Self.file([Self.row(["precio": "", "desarme_sku": "amox500tab", "unidades_por_empaque": "100"])]),
                                         existingSKUs: ["AMOX500", "AMOX500TAB"])
        #expect(result.problems.isEmpty)
        let item = try #require(result.entries.first?.item)
        #expect(item.price == nil)
        #expect(item.unitSKU == "AMOX500TAB")
        #expect(item.packUnits == 100)
    }

    @Test func aPackMayNameAUnitItemFurtherDownTheFile() {
        let rows = [Self.row(["desarme_sku": "TAB1", "unidades_por_empaque": "100"]), Self.row(["sku": "TAB1", "lotes": "si"])]
        let result = CatalogCSV.validate(Self.file(rows))
        #expect(result.problems.isEmpty)
        #expect(result.entries.map(\.item.sku) == ["AMOX500", "TAB1"])
    }

    @Test func aPackWhoseUnitLineIsRejectedIsRejectedToo() {
        let rows = [Self.row(["desarme_sku": "TAB1", "unidades_por_empaque": "100"]), Self.row(["sku": "TAB1", "precio": "abc"])]
        let result = CatalogCSV.validate(Self.file(rows))
        #expect(result.entries.isEmpty)
        #expect(result.problems.map(\.description) == [
            "línea 2: desarme_sku TAB1 está en una línea rechazada",
            "línea 3: precio inválido «abc»: monto no válido (use soles con punto decimal, p. ej. 35.50)",
        ])
    }

    @Test func barcodesAreUniqueInTheFileAndAcrossTheCatalog() {
        let rows = [
            Self.row(["codigos_barra": "7750182000017"]),
            Self.row(["sku": "B2", "codigos_barra": "7750182000017"]),
            Self.row(["sku": "B3", "codigos_barra": "40170725"]),
            Self.row(["sku": "B4", "codigos_barra": "40170725 | 12345670"]),
        ]
        #expect(messages(rows, barcodes: ["40170725": "OTRO", "12345670": "B4"]) == [
            "línea 3: el código de barras 7750182000017 está repetido (ya está en la línea 2)",
            "línea 4: el código de barras 40170725 ya es del artículo OTRO",
            "línea 5: el código de barras 40170725 está repetido (ya está en la línea 4)",
        ])
    }

    @Test func wrongColumnCountIsRejected() {
        #expect(messages(["A1,Algo,medicamento"]) == ["línea 2: la fila tiene 3 columnas y el encabezado 16"])
    }

    @Test func flagsAcceptSiAndSíInAnyCaseAndActiveDefaultsToYes() throws {
        let result = CatalogCSV.validate(Self.file([Self.row(["lotes": "SÍ", "controlado": "Si", "receta": "", "activo": ""])]))
        let item = try #require(result.entries.first?.item)
        #expect(item.tracksLots && item.controlled && !item.prescription && item.active)
        let inactive = CatalogCSV.validate(Self.file([Self.row(["activo": "no"])]))
        #expect(inactive.entries.first?.item.active == false)
    }

    @Test func hostileBytesGiveMessagesNeverACrash() {
        let inputs: [[UInt8]] = [
            [0x22], [0x2C, 0x2C, 0x0D], [0xFF, 0xFE, 0x00, 0x41], Array(repeating: 0x22, count: 1001),
            Array((Self.header + "\n\"").utf8), Array((Self.header + "\nX" + String(repeating: ",", count: 5000)).utf8),
            Array((Self.header + "\n" + Self.row(["precio": String(repeating: "9", count: 5000)])).utf8),
            Array((Self.header + "\n" + Self.row(["nombre": "\u{0}\u{7}"])).utf8),
        ]
        for bytes in inputs {
            let result = CatalogCSV.validate(bytes)
            #expect(result.entries.isEmpty)
            #expect(!result.problems.isEmpty)
        }
    }
}

@Suite struct CatalogCSVWritingTests {
    static let lines = [
        CatalogLine(sku: "AMOX500", name: "Amoxicilina 500 mg, \"genérico\"", kind: .medicamento, category: "Antibióticos",
                    presentation: "Caja x 10 blísteres x 10 tabletas", baseUnit: "caja", unitCode: "BX", igv: .gravado,
                    price: Money(centimos: 3550), barcodes: ["7750182000017", "40170725"], unitSKU: "AMOX500TAB", packUnits: 100,
                    tracksLots: true, controlled: false, prescription: true, active: true),
        CatalogLine(sku: "AMOX500TAB", name: "Amoxicilina 500 mg tableta", kind: .medicamento, category: "Antibióticos",
                    baseUnit: "tableta", unitCode: "NIU", igv: .gravado, price: Money(centimos: 45), tracksLots: true),
        CatalogLine(sku: "CONS-GEN", name: "Consulta general", kind: .consulta, category: "Consultas", unitCode: "ZZ",
                    igv: .exonerado, price: Money(centimos: 0), active: false),
        CatalogLine(sku: "KETA.50", name: "Ketamina 50 mg/ml", kind: .medicamento, category: "Anestésicos", presentation: "Frasco x 10 ml",
                    baseUnit: "ml", unitCode: "MLT", igv: .inafecto, price: Money(centimos: 12_345_678), tracksLots: true,
                    controlled: true, prescription: true),
    ]

    @Test func whatIsWrittenReadsBackUnchanged() {
        let text = CatalogCSV.write(Self.lines)
        let read = CatalogCSV.validate(text)
        #expect(read.problems.isEmpty)
        #expect(read.entries.map(\.item) == Self.lines)
        #expect(read.entries.map(\.line) == [2, 3, 4, 5])
    }

    @Test func writesTheDocumentedColumnsAndQuotesOnlyWhatNeedsIt() {
        let text = CatalogCSV.write([Self.lines[0], Self.lines[2]])
        let expected = [
            "sku,nombre,tipo,categoria,presentacion,unidad_base,unidad_sunat,afectacion_igv,precio,codigos_barra,desarme_sku,unidades_por_empaque,lotes,controlado,receta,activo",
            #"AMOX500,"Amoxicilina 500 mg, ""genérico""",medicamento,Antibióticos,Caja x 10 blísteres x 10 tabletas,caja,BX,10,35.50,7750182000017|40170725,AMOX500TAB,100,si,no,si,si"#,
            "CONS-GEN,Consulta general,consulta,Consultas,,unidad,ZZ,20,0.00,,,,no,no,no,no",
        ]
        #expect(text == expected.map { $0 + "\r\n" }.joined())
    }

    @Test func anItemWithoutPriceWritesAnEmptyPrice() {
        let line = CatalogLine(sku: "X1", name: "Sin precio", kind: .insumo, category: "Insumos", unitCode: "NIU", igv: .gravado, price: nil)
        let read = CatalogCSV.validate(CatalogCSV.write([line]), existingSKUs: ["X1"])
        #expect(read.entries.map(\.item) == [line])
    }
}
