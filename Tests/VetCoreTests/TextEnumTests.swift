import Foundation
import Testing
@testable import VetCore

/// Issue 11, item 3: statuses stored as text keep a value this version does not know, and never
/// take it for a real state.
@Suite struct TextEnumTests {
    @Test func anUnknownAppointmentStatusIsNoRealState() throws {
        let status = AppointmentStatus(rawValue: "en_triaje")
        #expect(status == .unknown("en_triaje"))
        #expect(!status.isKnown)
        #expect(status != .reservada && status != .enEspera && status != .enConsulta)
        #expect(status.label == "Desconocido (en_triaje)")
        #expect(status.rawValue == "en_triaje")
        // It keeps its vet's time: a slot is not offered again on a guess.
        #expect(status.holdsTime)
        #expect(!AppointmentStatus.allCases.contains(status))
        // A subscribed calendar is not told it is a booked appointment.
        #expect(!AppointmentCalendar.isListed(status) && AppointmentCalendar.isListed(.reservada) && AppointmentCalendar.isListed(.cancelada))
    }

    @Test func knownStatusesReadTheirOwnText() {
        let texts = ["reservada", "en_espera", "en_consulta", "atendida", "cancelada", "no_asistio"]
        #expect(texts.map { AppointmentStatus(rawValue: $0) } == [.reservada, .enEspera, .enConsulta, .atendida, .cancelada, .noAsistio])
        #expect(texts.allSatisfy { AppointmentStatus(rawValue: $0).isKnown && AppointmentStatus(rawValue: $0).rawValue == $0 })
        #expect(AppointmentStatus(rawValue: "Reservada") == .unknown("Reservada"))
        #expect(AppointmentStatus(rawValue: "") == .unknown(""))
    }

    @Test func statusesEncodeAsTheirTextAndDecodeAnyText() throws {
        struct Row: Codable, Equatable { var status: AppointmentStatus; var state: OutboxState }
        let data = try JSONEncoder().encode(Row(status: .unknown("en_triaje"), state: .pendiente))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(json == ["status": "en_triaje", "state": "pendiente"])
        let back = try JSONDecoder().decode(Row.self, from: Data(#"{"status":"en_espera","state":"reintentando"}"#.utf8))
        #expect(back == Row(status: .enEspera, state: .unknown("reintentando")))
        #expect(back.state.label == "Desconocido (reintentando)")
    }

    @Test func outboxStatesReadTheirOwnText() {
        #expect(["pendiente", "enviado", "fallido", "cancelado"].map(OutboxState.init(rawValue:)) == [.pendiente, .enviado, .fallido, .cancelado])
        #expect(OutboxState(rawValue: "pendiente ") == .unknown("pendiente "))
    }
}
