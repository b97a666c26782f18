/// A write the store refuses until the person confirms it: the screen shows `message`, asks, and
/// repeats the write with the confirmation given. `code` is stable, for screens and tests.
public struct ConfirmationNeeded: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
