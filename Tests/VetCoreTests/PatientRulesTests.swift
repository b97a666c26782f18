import Foundation
import Testing
@testable import VetCore

@Suite struct PatientRulesTests {
    let today = CivilDate(year: 2026, month: 11, day: 21)!

    @Test func documentsValidAndInvalid() {
        var owner = OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "Rosa", lastNames: "Peña", phone: "987654321")
        #expect(owner.problems().isEmpty)
        owner.docNumber = "4567891"
        #expect(owner.problems()["doc"] == "El DNI tiene 8 dígitos")
        owner.docNumber = "4567891A"
        #expect(owner.problems()["doc"] == "El DNI tiene 8 dígitos")
        owner.docType = .ruc
        owner.docNumber = "20100070970"   // valid check digit
        #expect(owner.problems()["doc"] == nil)
        owner.docNumber = "20100070971"
        #expect(owner.problems()["doc"] == "RUC no válido (dígito verificador)")
        owner.docNumber = "30100070970"
        #expect(owner.problems()["doc"] == "El RUC debe empezar con 10, 15, 16, 17 o 20")
        owner.docType = .ce
        owner.docNumber = "001234567"
        #expect(owner.problems()["doc"] == nil)
        owner.docNumber = "0012345678901"
        #expect(owner.problems()["doc"] == "El CE es alfanumérico de hasta 12 caracteres")
        owner.docNumber = "00-12"
        #expect(owner.problems()["doc"] != nil)
    }

    @Test func phonesAndEmail() {
        #expect(PhoneRules.normalize("+51 987 654 321") == "987654321")
        #expect(PhoneRules.normalize("987654321") == "987654321")
        #expect(PhoneRules.normalize("51987654321") == "987654321")
        #expect(PhoneRules.normalize("01 4451234") == "014451234")
        #expect(PhoneRules.normalize("98765432") == nil)
        #expect(PhoneRules.normalize("9876543210") == nil)
        #expect(PhoneRules.problem("98765432") == "El celular tiene 9 dígitos y empieza con 9 (+51 opcional)")
        #expect(PhoneRules.problem("+1 555 1234") != nil)
        #expect(PhoneRules.display("987654321") == "987 654 321")
        #expect(PhoneRules.display("014451234") == "014451234")
        #expect(PhoneRules.display("98765432") == "98765432")
        #expect(PhoneRules.display("") == "")
        #expect(EmailRules.problem("rosa@gmail.com") == nil)
        #expect(EmailRules.problem("rosa@gmail") != nil)
        #expect(EmailRules.problem("rosa gmail.com") != nil)
        let owner = OwnerInput(docNumber: "45678912", firstNames: "Rosa", lastNames: "Peña", phone: "", consentEmail: true)
        #expect(owner.problems()["phone"] == "Ingrese un celular o teléfono")
        #expect(owner.problems()["email"] == "Para recordatorios por correo, ingrese el correo")
    }

    @Test func districtsFromCatalogo13() {
        #expect(Ubigeo.districts.count == 1_884)
        #expect(Ubigeo.district(code: "150122")?.name == "Miraflores")
        #expect(Ubigeo.district(code: "150122")?.province == "Lima")
        #expect(Ubigeo.matches("breña").map(\.code) == ["150105"])
        #expect(Ubigeo.matches("BRENA").map(\.code) == ["150105"])
        #expect(Ubigeo.matches("miraflores").count > 1)
        #expect(Ubigeo.matches("miraflores, lima").map(\.code) == ["150122"])
        #expect(Ubigeo.matches("040112").first?.department == "Arequipa")
        var owner = OwnerInput(docNumber: "45678912", firstNames: "Rosa", lastNames: "Peña", phone: "987654321", district: "miraflores")
        #expect(owner.problems()["district"]?.contains("distritos") == true)
        owner.district = "Miraflores, Lima"
        #expect(owner.problems()["district"] == nil)
        #expect(owner.resolvedDistrict?.code == "150122")
        owner.district = "Narnia"
        #expect(owner.problems()["district"] == "Distrito no encontrado en el ubigeo")
    }

    @Test func microchipsBirthDatesAndWeights() {
        #expect(MicrochipRules.problem("604123456789012") == nil)
        #expect(MicrochipRules.problem("60412345678901") == "El microchip tiene 15 dígitos")
        #expect(MicrochipRules.problem("60412345678901X") == "El microchip tiene 15 dígitos")
        #expect(BirthRules.problem("21/11/2026", today: today) == nil)
        #expect(BirthRules.problem("22/11/2026", today: today) == "La fecha de nacimiento no puede ser futura")
        #expect(BirthRules.problem("31/02/2020", today: today) == "Fecha no válida (dd/mm/aaaa)")
        #expect(BirthRules.problem("01/01/1980", today: today) != nil)
        #expect(BirthRules.approximateMonths("3a") == 36)
        #expect(BirthRules.approximateMonths("2 años 6 meses") == 30)
        #expect(BirthRules.approximateMonths("8m") == 8)
        #expect(BirthRules.approximateMonths("muchos") == nil)
        #expect(WeightRules.grams(fromKilograms: "4,25") == 4250)
        #expect(WeightRules.grams(fromKilograms: "0.035") == 35)
        #expect(WeightRules.grams(fromKilograms: "12") == 12000)
        #expect(WeightRules.grams(fromKilograms: "1.2345") == nil)
        #expect(WeightRules.grams(fromKilograms: "abc") == nil)
        #expect(WeightRules.problem(grams: 0, species: .perro) == "El peso debe ser mayor que cero")
        #expect(WeightRules.problem(grams: 250_000, species: .perro) != nil)
        #expect(WeightRules.problem(grams: 30_000, species: .gato) != nil)
        #expect(WeightRules.problem(grams: 4_200, species: .gato) == nil)
        var pet = PetInput(name: "Michi", species: "gato", birthDate: "01/12/2026", microchip: "123", weight: "40")
        let p = pet.problems(today: today)
        #expect(p["birth"] == "La fecha de nacimiento no puede ser futura")
        #expect(p["chip"] == "El microchip tiene 15 dígitos")
        #expect(p["weight"]?.hasPrefix("Peso imposible para gato") == true)
        pet = PetInput(name: "Copito", species: "huron", approximateAge: "2a")
        #expect(pet.problems(today: today).isEmpty)
        #expect(pet.birth(today: today)?.date == CivilDate(year: 2024, month: 11, day: 21))
        #expect(pet.birth(today: today)?.estimated == true)
        #expect(PetInput(name: "X", species: "dragón").problems(today: today)["species"] != nil)
    }

    @Test func clinicalInputs() {
        var c = ConsultationInput()
        c.reason = "Vómitos"
        c.temperature = "38,5"
        c.heartRate = "120"
        #expect(c.problems(species: .perro).isEmpty)
        c.temperature = "52"
        c.heartRate = "900"
        c.weight = "-3"
        let p = c.problems(species: .perro)
        #expect(p["temperature"] != nil && p["heartRate"] != nil && p["weight"] != nil)
        #expect(ConsultationInput().problems(species: .gato)["reason"] == "Ingrese el motivo de consulta")
        var v = VaccinationInput(product: "Nobivac DHPPi", lot: "A123", expiry: "01/06/2027", appliedOn: "21/11/2026", nextDue: "21/11/2027")
        #expect(v.problems(today: today).isEmpty)
        v.expiry = "01/10/2026"
        #expect(v.problems(today: today)["expiry"] == "Producto vencido a la fecha de aplicación")
        v.appliedOn = "25/11/2026"
        #expect(v.problems(today: today)["appliedOn"] == "La fecha de aplicación no puede ser futura")
        #expect(PrescriptionItemInput(drug: "Amoxicilina").problems()["dose"] == "Ingrese la dosis")
    }
}
