import VetCore

extension Form {
    /// Shows each problem next to its field and focuses the first field with a problem.
    mutating func show(_ problems: FieldProblems) {
        clearErrors()
        for (id, message) in problems { setError(id, message) }
        if let first = fields.firstIndex(where: { problems[$0.id] != nil }) { focus = first }
    }
}
