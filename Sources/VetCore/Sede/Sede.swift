/// A clinic site (or the central warehouse). Central data: created by central, pulled by sedes.
/// The row mapping lives with the store (VetStore); this is the value every layer passes around.
public struct Sede: Codable, Hashable, Sendable {
    public var id: String
    public var code: String
    public var name: String
    public var kind: String = "clinica"
    public var district: String?
    public var address: String?
    public var phone: String?
    public var active: Bool = true
    public var createdAt: String

    public init(id: String, code: String, name: String, kind: String = "clinica", district: String? = nil,
                address: String? = nil, phone: String? = nil, createdAt: String) {
        self.id = id; self.code = code; self.name = name; self.kind = kind
        self.district = district; self.address = address; self.phone = phone; self.createdAt = createdAt
    }

    /// `LIM01`: 2 to 10 capital letters and digits.
    public static func codeProblem(_ code: String) -> String? {
        guard (2...10).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            return "El código de sede tiene de 2 a 10 letras mayúsculas o dígitos (ej. LIM01)"
        }
        return nil
    }
}
