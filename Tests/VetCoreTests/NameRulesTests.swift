import Testing
@testable import VetCore

/// Issue 10, minor item: names print on receipts and reach WhatsApp.
@Suite struct NameRulesTests {
    @Test func realNamesAreAccepted() {
        for name in ["Ximena", "Ñahuincopa Zúñiga", "D'Angelo", "Pérez-Albela", "Inversiones Veterinarias S.A.C.", "Rocky 2", "Hnos. & Cía", "Zoë"] {
            #expect(NameRules.problem(name, maxLength: 60) == nil, "\(name)")
        }
    }

    @Test func emojiControlCharactersAndOverlongNamesAreRefusedWithAMessage() {
        #expect(NameRules.problem("Luna 🐶", maxLength: 40) == "No se admiten emojis en el nombre")
        #expect(NameRules.problem("Luna ❤️", maxLength: 40) == "No se admiten emojis en el nombre")
        #expect(NameRules.problem("Lu\u{7}na", maxLength: 40) == "No se admiten caracteres de control en el nombre")
        #expect(NameRules.problem("Lu\u{200B}na", maxLength: 40) == "No se admiten caracteres de control en el nombre")
        #expect(NameRules.problem("Luna§", maxLength: 40) == "Carácter no admitido en el nombre: «§»")
        #expect(NameRules.problem(String(repeating: "a", count: 500), maxLength: 60) == "Demasiado largo: 500 caracteres (máximo 60)")

        var owner = OwnerInput(docType: .dni, docNumber: "45678912", firstNames: String(repeating: "Ana ", count: 125), lastNames: "Ríos 😀",
                               phone: "987654321")
        #expect(owner.problems()["firstNames"] == "Demasiado largo: 499 caracteres (máximo 60)")
        #expect(owner.problems()["lastNames"] == "No se admiten emojis en el nombre")
        owner.firstNames = "Ana"; owner.lastNames = "Ríos"
        #expect(owner.problems().isEmpty)
        #expect(PetInput(name: "Firulais\u{1B}[31m", species: "perro").problems(today: CivilDate(year: 2026, month: 11, day: 21)!)["name"]
                == "No se admiten caracteres de control en el nombre")
    }
}
