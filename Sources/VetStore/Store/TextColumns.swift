import GRDB
import VetCore

// Enums of VetCore stored as their text. Reading a text this version does not know gives the
// type's `.unknown(text)`, so nothing fails to load and the text is written back unchanged.
extension AppointmentStatus: DatabaseValueConvertible {}
extension OutboxState: DatabaseValueConvertible {}

extension AppointmentStatus {
    /// `'reservada', 'en_espera'`: the states as an SQL list, for `status IN (…)`. The texts are
    /// this type's own constants, never input.
    static func sqlList(_ states: [AppointmentStatus]) -> String {
        states.map { "'" + $0.rawValue + "'" }.joined(separator: ", ")
    }
}

/// Money is stored as whole céntimos (INTEGER).
extension Money: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { centimos.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Money? {
        Int64.fromDatabaseValue(dbValue).map(Money.init(centimos:))
    }
}
