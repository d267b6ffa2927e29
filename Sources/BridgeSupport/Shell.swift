/// Quoting for the shell lines bridge writes for other programs (`doctor --export-env`, Slurm scripts).
public enum Shell {
    /// `s` in single quotes, any single quote inside written as '\'': one word for sh, whatever `s` holds.
    public static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// `s` as it is when it holds only characters the shell takes literally, else `quoted(s)`: scripts
    /// meant to be read stay readable.
    public static func quotedIfNeeded(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }) ? s : quoted(s)
    }
}
