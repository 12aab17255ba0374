public enum LinflowVersion {
    public static let string = "0.1.0"
}
