/// A screen holding typed text that must outlive the session or the program (a consultation being
/// written). The app asks every such screen on its stack to keep it before the program ends
/// (F10, a termination signal), the session ends (sign-out, another user at a locked terminal) or
/// the terminal locks.
public protocol KeepsTypedWork {
    /// Writes what the screen holds where its author gets it back; nothing when nothing was typed.
    /// A failure is the app's to show: it runs inside the job that ends the session or the program.
    func keepTypedWork(_ services: AppServices) throws
}
