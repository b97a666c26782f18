/// A span of minutes of one day, `[start, end)`.
public struct MinuteSpan: Hashable, Sendable, Comparable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = end }

    public func overlaps(_ other: MinuteSpan) -> Bool { start < other.end && other.start < end }
    public func contains(_ other: MinuteSpan) -> Bool { start <= other.start && other.end <= end }
    public static func < (a: MinuteSpan, b: MinuteSpan) -> Bool { (a.start, a.end) < (b.start, b.end) }
}

/// How a day departs from a vet's weekly template.
public enum ScheduleExceptionKind: String, CaseIterable, Sendable {
    case vacaciones
    case descansoMedico = "descanso_medico"
    case feriado
    case bloqueExtra = "bloque_extra"

    public var label: String {
        switch self {
        case .vacaciones: "Vacaciones"
        case .descansoMedico: "Descanso médico"
        case .feriado: "Feriado"
        case .bloqueExtra: "Bloque extra"
        }
    }

    /// Whether it takes time away (else it adds a block).
    public var removesTime: Bool { self != .bloqueExtra }
}

/// One exception on a day: `span == nil` means the whole day.
public struct DayException: Hashable, Sendable {
    public var kind: ScheduleExceptionKind
    public var span: MinuteSpan?
    public init(kind: ScheduleExceptionKind, span: MinuteSpan?) { self.kind = kind; self.span = span }
}

/// The rules of a vet's working time: the weekly template's blocks of one weekday, changed by the
/// day's exceptions, give the spans a vet can be booked in.
public enum Availability {
    /// The working spans of a day, sorted and merged.
    public static func workingSpans(template: [MinuteSpan], exceptions: [DayException]) -> [MinuteSpan] {
        var spans = template
        for e in exceptions where e.kind == .bloqueExtra { if let s = e.span { spans.append(s) } }
        spans = merge(spans)
        for e in exceptions where e.kind.removesTime {
            guard let cut = e.span else { return [] }
            spans = spans.flatMap { s -> [MinuteSpan] in
                guard s.overlaps(cut) else { return [s] }
                var pieces: [MinuteSpan] = []
                if s.start < cut.start { pieces.append(MinuteSpan(s.start, cut.start)) }
                if cut.end < s.end { pieces.append(MinuteSpan(cut.end, s.end)) }
                return pieces
            }
        }
        return spans
    }

    public static func merge(_ spans: [MinuteSpan]) -> [MinuteSpan] {
        var out: [MinuteSpan] = []
        for s in spans.sorted() {
            if let last = out.last, s.start <= last.end {
                out[out.count - 1].end = max(last.end, s.end)
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// Whether `wanted` lies inside one working span.
    public static func isWorking(_ wanted: MinuteSpan, in working: [MinuteSpan]) -> Bool {
        working.contains { $0.contains(wanted) }
    }

    /// The first start, on a grid of `step` minutes from `notBefore`, where `minutes` fit inside
    /// the working spans without touching a busy span.
    public static func firstFree(minutes: Int, working: [MinuteSpan], busy: [MinuteSpan], notBefore: Int, step: Int = 15) -> Int? {
        for span in working {
            var start = max(span.start, notBefore)
            let offset = (start - span.start) % step
            if offset != 0 { start += step - offset }
            while start + minutes <= span.end {
                let wanted = MinuteSpan(start, start + minutes)
                if let blocking = busy.first(where: { $0.overlaps(wanted) }) {
                    start = blocking.end
                    let o = (start - span.start) % step
                    if o != 0 { start += step - o }
                    continue
                }
                return start
            }
        }
        return nil
    }
}
