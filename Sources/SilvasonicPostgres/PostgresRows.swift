/// The rows a statement returned, as the server's text values (`nil` for SQL NULL).
public struct PostgresRows: Sendable, Equatable {
    /// Column names, in order.
    public var columns: [String]
    /// One array per row, one value per column.
    public var rows: [[String?]]
    /// The number of rows a command changed (`INSERT`, `UPDATE`, `DELETE`), else 0.
    public var affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }
}
