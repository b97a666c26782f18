import VetCore

/// A stored ISO day as a person reads it; empty when absent or unreadable.
func describeDay(_ iso: String?) -> String {
    guard let iso, let day = CivilDate(iso: iso) else { return "" }
    return day.display
}
