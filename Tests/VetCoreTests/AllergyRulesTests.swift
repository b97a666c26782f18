import Testing
@testable import VetCore

/// Issue 10, item 9: a prescription's drugs against the pet's alerts.
@Suite struct AllergyRulesTests {
    @Test func aDrugMatchesAnAlertOfItsFamilyIgnoringAccentsAndCase() {
        let found = AllergyRules.conflicts(drugs: ["Amoxicilina + ácido clavulánico 250 mg"], alerts: ["agresivo", "alérgica a penicilina"])
        #expect(found == [AllergyRules.Conflict(drug: "Amoxicilina + ácido clavulánico 250 mg", alert: "alérgica a penicilina", family: "penicilinas")])
        #expect(found.first?.line == "Amoxicilina + ácido clavulánico 250 mg: «alérgica a penicilina» (penicilinas)")
        #expect(AllergyRules.conflicts(drugs: ["AMPICILINA"], alerts: ["ALERGICO A LA PENICILINA"]).count == 1)
        #expect(AllergyRules.conflicts(drugs: ["Cefalexina"], alerts: ["alergia a betalactámicos"]).first?.family == "cefalosporinas")
        #expect(AllergyRules.conflicts(drugs: ["Cefalexina"], alerts: ["alergia a beta-lactámicos"]).first?.family == "cefalosporinas")
        #expect(AllergyRules.conflicts(drugs: ["Meloxicam 1,5 mg/ml"], alerts: ["No dar AINEs (insuficiencia renal)"]).first?.family
                == "AINE (antiinflamatorios no esteroideos)")
        #expect(AllergyRules.conflicts(drugs: ["Carprofeno"], alerts: ["reacción a meloxicam"]).first?.family == "AINE (antiinflamatorios no esteroideos)")
        #expect(AllergyRules.conflicts(drugs: ["Selamectina"], alerts: ["MDR1 positivo: no usar ivermectina"]).count == 1)
        #expect(AllergyRules.conflicts(drugs: ["Trimetoprim-sulfametoxazol"], alerts: ["alérgico a sulfas"]).count == 1)
        #expect(AllergyRules.conflicts(drugs: ["Enrofloxacino"], alerts: ["Alergia a quinolonas"]).count == 1)
    }

    @Test func aDrugNamedInAnAlertMatchesEvenOutsideTheTable() {
        #expect(AllergyRules.conflicts(drugs: ["Gabapentina 100 mg"], alerts: ["alérgico a gabapentina"])
                == [AllergyRules.Conflict(drug: "Gabapentina 100 mg", alert: "alérgico a gabapentina", family: nil)])
    }

    @Test func unrelatedDrugsAndAlertsDoNotMatch() {
        #expect(AllergyRules.conflicts(drugs: ["Amoxicilina"], alerts: ["agresivo", "cardiópata", "alérgico a sulfas"]).isEmpty)
        #expect(AllergyRules.conflicts(drugs: ["Sulfato ferroso jarabe"], alerts: ["alérgico a sulfas"]).isEmpty)
        #expect(AllergyRules.conflicts(drugs: ["Meloxicam"], alerts: ["alérgico a corticoides"]).isEmpty)
        #expect(AllergyRules.conflicts(drugs: ["Prednisolona"], alerts: ["no dar antiinflamatorios no esteroideos"]).isEmpty)
        #expect(AllergyRules.conflicts(drugs: ["Omeprazol tabletas"], alerts: ["alérgica a penicilina"]).isEmpty)
        #expect(AllergyRules.conflicts(drugs: [], alerts: ["alérgica a penicilina"]).isEmpty)
        #expect(AllergyRules.conflicts(drugs: ["Amoxicilina"], alerts: []).isEmpty)
    }
}
