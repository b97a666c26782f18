import Foundation
import Testing
@testable import VetCore

@Suite struct AgendaRulesTests {
    @Test func limaDaysAndMinutes() {
        let day = CivilDate(year: 2026, month: 11, day: 21)!
        #expect(day.weekday == 6, "sábado")
        #expect(CivilDate(year: 2026, month: 11, day: 23)!.weekday == 1 && CivilDate(year: 2026, month: 11, day: 22)!.weekday == 7)
        #expect(day.monday == CivilDate(year: 2026, month: 11, day: 16)!)
        #expect(day.adding(days: 11) == CivilDate(year: 2026, month: 12, day: 2)!)
        #expect(CivilDate(year: 2028, month: 2, day: 28)!.adding(days: 1) == CivilDate(year: 2028, month: 2, day: 29)!)
        #expect(CivilDate(daysSinceEpoch: day.daysSinceEpoch) == day)
        // 09:30 in Lima is 14:30 UTC; 23:30 in Lima is already the next day in UTC.
        #expect(LimaTime.iso8601(AgendaTime.instant(day, minute: 570)) == "2026-11-21T14:30:00.000Z")
        let late = AgendaTime.instant(day, minute: 23 * 60 + 30)
        #expect(LimaTime.iso8601(late) == "2026-11-22T04:30:00.000Z")
        #expect(AgendaTime.dayAndMinute(late) == (day, 1410))
        #expect(AgendaTime.minute(parsing: "9:05") == 545 && AgendaTime.minute(parsing: "1730") == 1050)
        #expect(AgendaTime.minute(parsing: "24:00") == nil && AgendaTime.minute(parsing: "9") == nil && AgendaTime.minute(parsing: "ab:cd") == nil)
    }

    @Test func exceptionsChangeTheTemplate() {
        let template = [MinuteSpan(480, 780), MinuteSpan(840, 1140)]
        #expect(Availability.workingSpans(template: template, exceptions: []) == template)
        #expect(Availability.workingSpans(template: template, exceptions: [DayException(kind: .vacaciones, span: nil)]).isEmpty)
        #expect(Availability.workingSpans(template: template, exceptions: [DayException(kind: .bloqueExtra, span: MinuteSpan(780, 840))])
                == [MinuteSpan(480, 1140)])
        #expect(Availability.workingSpans(template: template, exceptions: [DayException(kind: .descansoMedico, span: MinuteSpan(600, 900))])
                == [MinuteSpan(480, 600), MinuteSpan(900, 1140)])
        #expect(Availability.isWorking(MinuteSpan(750, 780), in: template) && !Availability.isWorking(MinuteSpan(765, 795), in: template))
    }

    @Test func firstFreeFitsBetweenBusySpansOnTheGrid() {
        let working = [MinuteSpan(480, 780)]
        let busy = [MinuteSpan(480, 510), MinuteSpan(525, 600)]
        #expect(Availability.firstFree(minutes: 15, working: working, busy: busy, notBefore: 0) == 510)
        #expect(Availability.firstFree(minutes: 30, working: working, busy: busy, notBefore: 0) == 600)
        #expect(Availability.firstFree(minutes: 30, working: working, busy: busy, notBefore: 607) == 615)
        #expect(Availability.firstFree(minutes: 200, working: working, busy: busy, notBefore: 0) == nil)
    }

    @Test func iCalendarTextIsEscapedAndFolded() {
        #expect(ICalendar.escape("Vómitos, diarrea; ver\nmañana \\ ok") == "Vómitos\\, diarrea\\; ver\\nmañana \\\\ ok")
        let long = "DESCRIPTION:" + String(repeating: "ñandú ", count: 30)
        let folded = ICalendar.fold(long)
        let lines = folded.components(separatedBy: "\r\n")
        #expect(lines.count > 1 && lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined() == long)
        let event = CalendarEvent(uid: "a@vetdesk", start: Date(timeIntervalSince1970: 1_795_354_200), end: Date(timeIntervalSince1970: 1_795_356_000),
                                  summary: "Consulta: Max")
        let text = ICalendar.document(name: "VetDesk", events: [event], stamp: Date(timeIntervalSince1970: 1_795_262_400))
        #expect(text.contains("DTSTART;TZID=America/Lima:20261122T083000\r\n"))
        #expect(text.contains("DTEND;TZID=America/Lima:20261122T090000\r\n"))
        #expect(text.contains("DTSTAMP:20261121T120000Z\r\n"))
    }
}
