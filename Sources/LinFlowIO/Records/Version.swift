public enum LinflowVersion {
    public static let string = "0.2.0"
}
