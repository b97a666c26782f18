import Foundation
import Testing
@testable import VetSync
import VetTestSupport

/// SUNAT's billService end to end: `BillServiceClient` against the local SUNAT
/// (`tools/local-sunat/local_sunat.py`), which checks each document with SUNAT's own validator.
/// Each validated document costs a Java run (seconds), so each test sends as few as it can.
struct BillServiceTests {
    static let facturaName = "\(LocalSunat.ruc)-01-F001-1"
    static let bajaName = "\(LocalSunat.ruc)-RA-20200328-1"

    static func zipped(_ name: String, _ xml: Data) -> Data {
        SunatZip.make(entryName: name + ".xml", data: xml)
    }

    static func fault(_ body: () throws(BillServiceError) -> Void) -> BillServiceError? {
        do { try body() } catch { return error }
        return nil
    }

    @Test func aFacturaIsAcceptedOnceAndSendingItAgainIsTheDuplicateFault() throws {
        let sunat = try LocalSunat()
        let client = sunat.client()
        let zip = Self.zipped(Self.facturaName, try LocalSunat.sample("F001-1.xml"))

        let cdr = try client.sendBill(fileName: Self.facturaName, zip: zip)
        #expect(cdr.responseCode == 0, "\(sunat.log)")
        #expect(cdr.referenceID == "F001-1")
        #expect(cdr.description == "La Factura numero F001-1, ha sido aceptada")
        #expect(cdr.notes.isEmpty)
        #expect(cdr.responseDate?.count == 10)
        #expect(SunatOutcome.of(cdr) == .accepted)

        let again = Self.fault { () throws(BillServiceError) in _ = try client.sendBill(fileName: Self.facturaName + ".zip", zip: zip) }
        #expect(again == .fault(code: 1033, message: "El comprobante fue registrado previamente con otros datos"))
        #expect(again.map { SunatOutcome.of($0) } == .fixAndResend)
        #expect(again?.message == "SUNAT rechazó el envío (código 1033): El comprobante fue registrado previamente con otros datos")

        let stats = try sunat.stats()
        #expect((stats["by_file"] as? [String: Int])?[Self.facturaName] == 2)
        #expect(stats["accepted"] as? [String] == [Self.facturaName])
    }

    @Test func aFacturaWhoseAmountChangedAfterSigningIsRejectedAndBadCredentialsAreRefused() throws {
        let sunat = try LocalSunat()
        let original = String(decoding: try LocalSunat.sample("F001-1.xml"), as: UTF8.self)
        let altered = original.replacingOccurrences(of: #"<cbc:PayableAmount currencyID="PEN">2360.00</cbc:PayableAmount>"#,
                                                    with: #"<cbc:PayableAmount currencyID="PEN">2460.00</cbc:PayableAmount>"#)
        #expect(altered != original)

        let wrongPassword = Self.fault { () throws(BillServiceError) in
            _ = try sunat.client(password: "otra").sendBill(fileName: Self.facturaName, zip: Self.zipped(Self.facturaName, Data(altered.utf8)))
        }
        #expect(wrongPassword == .fault(code: 102, message: "Usuario o contrasena incorrectos"))
        #expect(wrongPassword?.message == "SUNAT rechazó el envío (código 0102): Usuario o contrasena incorrectos")

        // validate: "signature: FAIL" → SUNAT's 2335, the number is used up.
        let cdr = try sunat.client().sendBill(fileName: Self.facturaName, zip: Self.zipped(Self.facturaName, Data(altered.utf8)))
        #expect(cdr.responseCode == 2335, "\(sunat.log)")
        #expect(cdr.description == "El documento electrónico ingresado ha sido alterado")
        #expect(cdr.referenceID == "F001-1")
        #expect(SunatOutcome.of(cdr) == .rejected)
        #expect(try sunat.stats()["accepted"] as? [String] == [])

        // A hostile body gets a fault and the server keeps answering.
        let garbage = try CurlHTTPClient(baseURL: sunat.endpoint).post("", body: Data("<no-soy-soap".utf8), headers: ["Content-Type": "text/xml"])
        #expect(garbage.status == 500)
        #expect(String(decoding: garbage.body, as: UTF8.self).contains("<faultcode>soap-env:Client.0306</faultcode>"))
        let broken = Self.fault { () throws(BillServiceError) in
            _ = try sunat.client().sendBill(fileName: "\(LocalSunat.ruc)-01-F001-2", zip: Data("no es un zip".utf8))
        }
        #expect(broken == .fault(code: 156, message: "El archivo ZIP esta corrupto"))
    }

    @Test func aComunicacionDeBajaGetsATicketThenItsCDRAndSUNATDownIsRetryable() throws {
        let sunat = try LocalSunat(summaryDelay: 1)
        let client = sunat.client()
        let ticket = try client.sendSummary(fileName: Self.bajaName, zip: Self.zipped(Self.bajaName, try LocalSunat.sample("RA-20200328-1.xml")))
        #expect(!ticket.isEmpty && ticket.allSatisfy(\.isNumber))
        #expect(try client.getStatus(ticket: ticket) == .processing)

        var status = SummaryStatus.processing
        try waitUntil("el CDR de la baja", timeout: 90) {
            status = try client.getStatus(ticket: ticket)
            return status != .processing
        }
        guard case .done(let cdr) = status else { Issue.record("sin CDR"); return }
        #expect(cdr.responseCode == 0, "\(sunat.log)")
        #expect(cdr.referenceID == "RA-20200328-1")
        #expect(SunatOutcome.of(cdr) == .accepted)

        let unknown = Self.fault { () throws(BillServiceError) in _ = try client.getStatus(ticket: "1") }
        #expect(unknown == .fault(code: 127, message: "El ticket no existe"))

        try sunat.makeUnavailable(1)
        let down = Self.fault { () throws(BillServiceError) in _ = try client.getStatus(ticket: ticket) }
        #expect(down == .transport("SUNAT respondió HTTP 503"))
        #expect(down.map { SunatOutcome.of($0) } == .retryLater)
        #expect(try client.getStatus(ticket: ticket) == status)
    }

    /// SUNAT's rules make a customer RUC that is not ACTIVO an observation (4013, accepted), and an
    /// issuer RUC that is not ACTIVO a rejection (2010).
    @Test func thePadronTurnsACustomerIntoAnObservationAndAnIssuerIntoARejection() throws {
        let xml = try LocalSunat.sample("F001-1.xml")
        let customerGone = try LocalSunat(padron: ["12121212121 BAJA"])
        let observed = try customerGone.client().sendBill(fileName: Self.facturaName, zip: Self.zipped(Self.facturaName, xml))
        #expect(observed.responseCode == 0, "\(customerGone.log)")
        #expect(observed.notes == [CDRNote(code: 4013, text: "El RUC  del receptor no esta activo")])
        #expect(SunatOutcome.of(observed) == .acceptedWithObservations)

        let issuerGone = try LocalSunat(padron: ["\(LocalSunat.ruc) BAJA"])
        let rejected = try issuerGone.client().sendBill(fileName: Self.facturaName, zip: Self.zipped(Self.facturaName, xml))
        #expect(rejected.responseCode == 2010)
        #expect(rejected.description == "El contribuyente no esta activo")
        #expect(SunatOutcome.of(rejected) == .rejected)
    }

    @Test func theServerScriptCompiles() throws {
        let cache = TempDir("pycache")
        let result = try runProcess("/usr/bin/python3", ["-m", "py_compile", LocalSunat.script], environment: ["PYTHONPYCACHEPREFIX": cache.path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    // MARK: - ZIP and CDR without a server

    @Test(arguments: [SunatZip.Method.stored, .deflated])
    func aZipRoundTripsAndUnzipAcceptsIt(_ method: SunatZip.Method) throws {
        let xml = Data(String(repeating: "<cbc:Note>Año 2026 — ñandú</cbc:Note>\n", count: 500).utf8)
        let zip = SunatZip.make(entryName: "\(Self.facturaName).xml", data: xml, method: method)
        if method == .deflated { #expect(zip.count < xml.count / 4) }
        let entries = try SunatZip.entries(zip, maxBytes: 1 << 20)
        #expect(entries.map(\.name) == ["\(Self.facturaName).xml"])
        #expect(entries.first?.data == xml)

        let dir = TempDir("sunat-zip")
        try zip.write(to: URL(fileURLWithPath: dir.file("f.zip")))
        let check = try runProcess("/usr/bin/unzip", ["-t", dir.file("f.zip")])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("No errors detected"))
    }

    @Test func sunatsOwnDeflatedCDRIsRead() throws {
        let soap = String(decoding: try LocalSunat.sample("bill_service_response_ok.xml"), as: UTF8.self)
        let encoded = try #require(soap.components(separatedBy: "<applicationResponse>").last?.components(separatedBy: "<").first)
        let cdr = try CDR.fromZip(try #require(Data(base64Encoded: encoded)))
        #expect(cdr == CDR(responseCode: 0, description: "La Factura numero F001-1, ha sido aceptada", notes: [],
                           referenceID: "F001-1", responseDate: "2023-12-21"))

        let observed = try CDR.parse(try LocalSunat.sample("R-20220557805-01-F001-22Openubl.xml"))
        #expect(observed.referenceID == "F001-22")
        #expect(observed.notes.map(\.code) == [4252, 4255, 3030, 4255, 4252, 4252, 4252, 4252])
        #expect(observed.notes[2].text.hasPrefix("El XML no contiene el tag o no existe información del código de local anexo"))
    }

    @Test func hostileZipsAreErrorsNotCrashes() throws {
        let good = SunatZip.make(entryName: "a.xml", data: Data(String(repeating: "factura ", count: 200).utf8))
        var cases: [(String, Data)] = [("vacío", Data()), ("basura", Data("PK no es un zip de verdad".utf8))]
        for cut in [1, 22, 40, good.count / 2, good.count - 1] { cases.append(("cortado en \(cut)", good.prefix(cut))) }
        // The central directory lies about the sizes (offsets 20 and 24 after its signature).
        let central = try #require(good.range(of: Data([0x50, 0x4b, 0x01, 0x02]))).lowerBound
        func patched(_ offset: Int, _ value: UInt32) -> Data {
            var copy = good
            for i in 0..<4 { copy[central + offset + i] = UInt8((value >> (8 * UInt32(i))) & 0xFF) }
            return copy
        }
        cases.append(("comprimido más largo que el archivo", patched(20, 0x00FF_FFFF)))
        cases.append(("descomprimido más corto", patched(24, 10)))
        cases.append(("descomprimido más largo", patched(24, 5000)))
        cases.append(("100 MB declarados", patched(24, 100_000_000)))
        cases.append(("cabecera local fuera del archivo", patched(42, 0x7FFF_FFFF)))
        cases.append(("CRC falso", patched(16, 0xDEAD_BEEF)))
        // The end record points its directory past the end.
        var farDirectory = good
        farDirectory[good.count - 6] = 0xFF
        farDirectory[good.count - 5] = 0xFF
        cases.append(("directorio fuera", farDirectory))

        for (label, zip) in cases {
            do {
                let entries = try SunatZip.entries(zip, maxBytes: 10 << 20)
                Issue.record("\(label): se abrió con \(entries.count) entradas")
            } catch {
                #expect(!error.message.isEmpty, "\(label)")
            }
        }
        // A real bomb: 20 MB of zeros deflate to ~20 KB; the cap refuses it before inflating.
        let bomb = SunatZip.make(entryName: "b.xml", data: Data(count: 20 << 20))
        #expect(throws: SunatZipError.self) { try SunatZip.entries(bomb, maxBytes: 10 << 20) }
    }

    @Test func hostileXMLIsAnErrorAndTheEnvelopeEscapesEveryValue() throws {
        for text in ["", "no es xml", "<a><b></a>", "<!DOCTYPE x [<!ENTITY e \"e\">]><ApplicationResponse>&e;</ApplicationResponse>",
                     "<Invoice><cbc:ResponseCode>0</cbc:ResponseCode></Invoice>",
                     "<ApplicationResponse><DocumentResponse><Response><ResponseCode>cero</ResponseCode></Response></DocumentResponse></ApplicationResponse>"] {
            #expect(throws: SunatXMLError.self, "\(text)") { try CDR.parse(Data(text.utf8)) }
        }

        let client = BillServiceClient(endpoint: "http://127.0.0.1:9/billService", username: "20123456789<&>", password: "a\"b'c&d")
        let envelope = client.envelope("getStatus", body: "<ticket>\(BillServiceClient.escape("1<2"))</ticket>")
        #expect(envelope.contains("<wsse:Username>20123456789&lt;&amp;&gt;</wsse:Username>"))
        #expect(envelope.contains(">a&quot;b&apos;c&amp;d</wsse:Password>"))
        #expect(envelope.contains("<ser:getStatus><ticket>1&lt;2</ticket></ser:getStatus>"))
        let leaves = try SunatXML.leaves(Data(envelope.utf8))
        #expect(leaves.first { $0.path.last == "Password" }?.text == "a\"b'c&d")

        let insecure = BillServiceClient(endpoint: "http://e-beta.sunat.gob.pe/billService", username: "u", password: "p")
        let refused = Self.fault { () throws(BillServiceError) in _ = try insecure.getStatus(ticket: "1") }
        if case .transport(let detail)? = refused { #expect(detail.contains("http sin cifrar")) } else { Issue.record("\(String(describing: refused))") }
    }
}
