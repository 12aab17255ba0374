import CGSL

/// A failure reported by GSL, carrying its status code and GSL's own reason string.
public struct GSLError: Error, Sendable, CustomStringConvertible {
    public let status: Int32
    public let context: String

    public var description: String {
        let reason = String(cString: gsl_strerror(status))
        return "\(context): \(reason) (GSL status \(status))"
    }
}

/// GSL's defaults, set once per process.
package enum GSL {
    /// GSL's default error handler calls abort(). linflow checks every status code instead,
    /// so the handler is switched off before any GSL call.
    static let setUp: Void = {
        _ = gsl_set_error_handler_off()
    }()

    /// Turns a GSL status code into a Swift error.
    static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        if status != Int32(GSL_SUCCESS) { throw GSLError(status: status, context: context()) }
    }

    package static var version: String { String(cString: linflow_gsl_version()) }
}
