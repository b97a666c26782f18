import Testing
@testable import VetTUI

@Suite struct CanvasTests {
    @Test func widthIsCountedInCells() {
        #expect(CellWidth.of("Peña") == 4)
        #expect(CellWidth.of("Núñez") == 5)
        #expect(CellWidth.of("漢字") == 4)
        #expect(CellWidth.of("e\u{301}") == 1)
        var canvas = Canvas(width: 10, height: 2)
        canvas.put("漢字ñandú", x: 0, y: 0)
        #expect(canvas.lines[0] == "漢字ñandú")
        canvas.put("abcdefghijklmn", x: 0, y: 1)
        #expect(canvas.lines[1] == "abcdefghij")
        #expect(CellWidth.fit("Chihuahua miniatura", to: 8) == "Chihuah…")
        #expect(CellWidth.pad("ñ", to: 3) == "ñ  ")
    }

    @Test func aWideCharacterThatDoesNotFitIsNotHalfDrawn() {
        var canvas = Canvas(width: 5, height: 1)
        canvas.put("abcd漢", x: 0, y: 0)
        #expect(canvas.lines[0] == "abcd")
    }
}

@Suite struct TextFieldTests {
    func typing(_ text: String, into field: TextField) -> TextField {
        var f = field
        for ch in text { _ = f.handle(.char(ch)) }
        return f
    }

    @Test func editsWholeCharacters() {
        var f = typing("Peña", into: TextField())
        _ = f.handle(.backspace)
        #expect(f.text == "Peñ")
        _ = f.handle(.left); _ = f.handle(.left)
        _ = f.handle(.char("x"))
        #expect(f.text == "Pxeñ")
        _ = f.handle(.delete)
        #expect(f.text == "Pxñ")
        _ = f.handle(.ctrl("u"))
        #expect(f.text.isEmpty)
    }

    @Test func masksRefuseWhatCannotBelong() {
        #expect(typing("12a34-5678901", into: TextField(mask: .digits(max: 8))).text == "12345678")
        #expect(typing("ab-12c", into: TextField(mask: .alphanumeric(max: 12))).text == "AB12C")
        #expect(typing("21112026", into: TextField(mask: .date)).text == "21/11/2026")
        #expect(typing("12.5.0", into: TextField(mask: .amount)).text == "12.50")
        #expect(typing("1234567", into: TextField(maxLength: 4)).text == "1234")
    }

    @Test func secureFieldsShowDots() {
        let f = typing("1234", into: TextField(secure: true))
        var canvas = Canvas(width: 10, height: 1)
        f.render(into: &canvas, x: 0, y: 0, width: 10, focused: true)
        #expect(canvas.lines[0] == "••••")
        #expect(canvas.cursor?.x == 4)
    }
}

@Suite struct FormAndTableTests {
    @Test func enterMovesToTheNextFieldAndSubmitsOnTheLast() {
        var form = Form(fields: [Form.Field(id: "a", label: "A"), Form.Field(id: "b", label: "B")])
        #expect(form.update(.char("x")) == .edited)
        #expect(form.update(.enter) == .moved)
        #expect(form.focus == 1)
        #expect(form.update(.enter) == .submit)
        #expect(form["a"] == "x")
        form.setError("b", "Obligatorio")
        var canvas = Canvas(width: 60, height: 4)
        form.render(into: &canvas, x: 0, y: 0, width: 60)
        #expect(canvas.lines[2].contains("B") && canvas.lines[2].contains("✖ Obligatorio"))
        _ = form.update(.char("y"))
        #expect(!form.hasErrors)
    }

    @Test func tableKeepsTheSelectionVisible() {
        var table = Table(columns: [Table.Column("N", width: 5)], rows: (1...50).map { ["\($0)"] })
        for _ in 0..<20 { _ = table.update(.down) }
        var canvas = Canvas(width: 20, height: 6)
        table.layout(height: 6)
        table.render(into: &canvas, area: Rect(x: 0, y: 0, width: 20, height: 6))
        #expect(canvas.lines.contains { $0.hasPrefix("21") })
        #expect(canvas[0, canvas.lines.firstIndex { $0.hasPrefix("21") }!].style == .selection)
        _ = table.update(.end)
        #expect(table.selected == 49)
    }

    @Test func columnsShrinkToFitANarrowTerminal() {
        let table = Table(columns: [Table.Column("Usuario", width: 14), Table.Column("Nombre", width: 30),
                                    Table.Column("Roles", width: 30), Table.Column("Estado", width: 8)],
                          rows: [["admin", "Ana Torres Salazar", "Supervisor, Administrador", "Activo"]])
        #expect(table.fittedWidths(78).reduce(0, +) + 3 <= 78)
        #expect(table.fittedWidths(78).last == 8)
        var canvas = Canvas(width: 78, height: 3)
        table.render(into: &canvas, area: Rect(x: 0, y: 0, width: 78, height: 3))
        #expect(canvas.lines[0].hasSuffix("Estado"))
        #expect(canvas.lines[1].hasSuffix("Activo"))
    }

    @Test func themesParseAndBadLinesAreExplained() throws {
        for name in ["default", "alto-contraste", "mono"] {
            let theme = try Theme.load(name)
            #expect(theme.styles.count == StyleRole.allCases.count, "\(name) defines every role")
        }
        #expect(try !Theme.load("mono").usesColor)
        #expect(throws: Theme.LoadError.self) { try Theme.parse("title = purple, blue", name: "x") }
        #expect(throws: Theme.LoadError.self) { try Theme.load("no-existe") }
    }
}
