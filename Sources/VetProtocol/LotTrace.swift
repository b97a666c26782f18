/// The network-wide trace of one lot (a recall): every stock movement of the lot at every sede,
/// and the pets and owners it reached. The body of `GET /v1/trace?sku=…&lot=…`; field names are
/// stable (snake_case) for the sedes that read it.
public struct LotTrace: Codable, Sendable, Equatable {
    public var sku: String
    public var lot: String
    public var itemID: String
    public var itemName: String
    /// Oldest first.
    public var movements: [Movement]
    /// What each sede holds of the lot now (the sum of its movements), by sede code.
    public var balances: [Balance]

    public init(sku: String, lot: String, itemID: String, itemName: String, movements: [Movement], balances: [Balance]) {
        self.sku = sku; self.lot = lot; self.itemID = itemID; self.itemName = itemName; self.movements = movements; self.balances = balances
    }

    enum CodingKeys: String, CodingKey {
        case sku, lot, movements, balances
        case itemID = "item_id"
        case itemName = "item_name"
    }

    public struct Movement: Codable, Sendable, Equatable {
        public var id: String
        public var sedeID: String
        /// Empty when central does not know the sede.
        public var sedeCode: String
        /// UTC ISO-8601, as stored.
        public var at: String
        /// A `stock_movements.kind` (recepcion, dispensacion, venta, …).
        public var kind: String
        /// Signed, in the item's base unit: in > 0, out < 0.
        public var quantity: Int64
        /// `aaaa-mm-dd`, or empty.
        public var expiry: String
        public var docType: String?
        public var docRef: String?
        public var pet: Pet?
        public var owner: Owner?

        public init(id: String, sedeID: String, sedeCode: String, at: String, kind: String, quantity: Int64, expiry: String,
                    docType: String? = nil, docRef: String? = nil, pet: Pet? = nil, owner: Owner? = nil) {
            self.id = id; self.sedeID = sedeID; self.sedeCode = sedeCode; self.at = at; self.kind = kind; self.quantity = quantity
            self.expiry = expiry; self.docType = docType; self.docRef = docRef; self.pet = pet; self.owner = owner
        }

        enum CodingKeys: String, CodingKey {
            case id, at, kind, quantity, expiry, pet, owner
            case sedeID = "sede_id"
            case sedeCode = "sede_code"
            case docType = "doc_type"
            case docRef = "doc_ref"
        }
    }

    public struct Pet: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var species: String?
        public init(id: String, name: String, species: String?) { self.id = id; self.name = name; self.species = species }
    }

    public struct Owner: Codable, Sendable, Equatable {
        public var id: String
        /// First names and last names.
        public var name: String
        public var phone: String?
        public init(id: String, name: String, phone: String?) { self.id = id; self.name = name; self.phone = phone }
    }

    public struct Balance: Codable, Sendable, Equatable {
        public var sedeID: String
        public var sedeCode: String
        public var quantity: Int64
        public init(sedeID: String, sedeCode: String, quantity: Int64) { self.sedeID = sedeID; self.sedeCode = sedeCode; self.quantity = quantity }

        enum CodingKeys: String, CodingKey {
            case quantity
            case sedeID = "sede_id"
            case sedeCode = "sede_code"
        }
    }
}
