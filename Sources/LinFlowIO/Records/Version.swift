public enum LinflowVersion {
    public static let string = "0.3.0"
}
