import Foundation
import Testing
import VetCore
import VetFiscal

@Suite struct FiscalRulesTests {
    @Test func amountInWords() {
        #expect(AmountInWords.leyenda(Money(centimos: 11800)) == "SON: CIENTO DIECIOCHO CON 00/100 SOLES")
        #expect(AmountInWords.words(Money(centimos: 100)) == "UNO CON 00/100 SOLES")
        #expect(AmountInWords.words(Money(centimos: 10_000)) == "CIEN CON 00/100 SOLES")
        #expect(AmountInWords.words(Money(centimos: 2_100_005)) == "VEINTIÚN MIL CON 05/100 SOLES")
        #expect(AmountInWords.words(Money(centimos: 123_456_789)) == "UN MILLÓN DOSCIENTOS TREINTA Y CUATRO MIL QUINIENTOS SESENTA Y SIETE CON 89/100 SOLES")
        #expect(AmountInWords.words(Money(centimos: 0)) == "CERO CON 00/100 SOLES")
        #expect(AmountInWords.spell(31_000_000) == "TREINTA Y UN MILLONES")
        #expect(AmountInWords.spell(1_001) == "MIL UNO")
        #expect(AmountInWords.spell(UInt64(Int64.max)).hasPrefix("NUEVE MIL"))   // no trap at the edge
    }

    @Test func seriesFollowTheDocumentType() {
        #expect(FiscalNumbering.seriesProblem("B001", for: .boleta) == nil)
        #expect(FiscalNumbering.seriesProblem("F001", for: .boleta) != nil)
        #expect(FiscalNumbering.seriesProblem("F001", for: .factura) == nil)
        #expect(FiscalNumbering.seriesProblem("FC01", for: .notaCredito, referencing: .factura) == nil)
        #expect(FiscalNumbering.seriesProblem("FC01", for: .notaCredito, referencing: .boleta) != nil)
        #expect(FiscalNumbering.seriesProblem("b001", for: .boleta) != nil)
        #expect(FiscalNumbering.seriesProblem("B0001", for: .boleta) != nil)
        #expect(FiscalNumbering.printed(series: "B001", number: 123) == "B001-00000123")
    }

    @Test func hostileTextCannotChangeTheDocument() throws {
        var doc = try FiscalFixtures.boleta()
        doc.customer.name = "</cbc:RegistrationName><cbc:ID>999</cbc:ID>\u{0}\u{7}"
        let xml = try UBLWriter.invoice(doc)
        #expect(!xml.contains("<cbc:ID>999</cbc:ID>"))
        #expect(xml.contains("&lt;/cbc:RegistrationName&gt;"))
        #expect(!xml.contains("\u{0}"))
        let signed = try FiscalFixtures.signer().sign(xml)
        #expect(FiscalSigner.verify(signed.xml) == nil)
    }

    @Test func facturaNeedsRucWithCheckDigitAndAddress() throws {
        var doc = try FiscalFixtures.facturaCredito()
        doc.customer.docNumber = "20100070971"
        #expect(throws: UBLWriter.Problem.self) { try UBLWriter.invoice(doc) }
        do { _ = try UBLWriter.invoice(doc) } catch { #expect(error.message.contains("dígito verificador")) }
        doc = try FiscalFixtures.facturaCredito()
        doc.customer.address = "  "
        do { _ = try UBLWriter.invoice(doc); Issue.record("a factura without address was written") } catch {
            #expect(error.message == "La factura necesita la dirección fiscal del cliente")
        }
    }

    @Test func tamperedDocumentFailsVerification() throws {
        let signed = try FiscalFixtures.signer().sign(try UBLWriter.invoice(try FiscalFixtures.boleta()))
        #expect(FiscalSigner.verify(signed.xml) == nil)
        let text = String(decoding: signed.xml, as: UTF8.self)
        let tampered = text.replacingOccurrences(of: try FiscalFixtures.boleta().totals.total.sunat, with: "1.00")
        #expect(tampered != text)
        #expect(FiscalSigner.verify(Data(tampered.utf8)) != nil)
        #expect(signed.digestValue.count == 44)   // base64 of SHA-256
    }

    @Test func wrongPasswordExpiredAndDamagedCertificates() throws {
        let pfx = try FiscalFixtures.certificate()
        #expect(throws: CertificateProblem.wrongPassword) { try FiscalSigner(pkcs12: pfx, password: "otra") }
        do { _ = try FiscalSigner(pkcs12: Data("no soy un pfx".utf8), password: "x"); Issue.record("garbage loaded") } catch {
            #expect(error.message.contains("no es un certificado"))
        }
        let past = Date(timeIntervalSince1970: 1_600_000_000)
        let old = try FiscalSigner.makeTestCertificate(commonName: "VENCIDO - PRUEBAS", organization: "Pruebas", password: "p",
                                                       validFrom: past, until: past.addingTimeInterval(86_400))
        let signer = try FiscalSigner(pkcs12: old, password: "p")
        #expect(throws: CertificateProblem.self) { try signer.check(at: Date()) }
        do { try signer.check(at: Date()) } catch { #expect(error.message.hasPrefix("El certificado digital venció el")) }
        try FiscalFixtures.signer().check(at: Date())
        #expect(try FiscalFixtures.signer().certificate.subject.contains("NO VALIDO"))
    }
}
