@testable import VetStore

/// The code of the `StoreError` that `body` throws; `nil` when it throws nothing. Any other error
/// is reported as `.unexpected`, so a test expecting a refusal's code cannot pass on it.
func storeErrorCode(_ body: () throws -> Void) -> StoreError.Code? {
    do { try body() } catch let error as StoreError { return error.code } catch { return .unexpected }
    return nil
}
