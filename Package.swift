// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "linflow",
    products: [
        .executable(name: "linflow", targets: ["linflow"]),
        .library(name: "LinFlowKit", targets: ["LinFlowKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // GSL (ODE steppers, SVD, random numbers) with OpenBLAS as its CBLAS.
        .systemLibrary(
            name: "CGSL",
            path: "Sources/CGSL",
            providers: [.apt(["libgsl-dev", "libopenblas-dev"])]
        ),
        // HDF5 (trajectories of large networks), Debian's serial build located by pkg-config.
        .systemLibrary(
            name: "CHDF5",
            path: "Sources/CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        // zlib, to inflate the members of a .npz written by numpy.savez_compressed.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // All of linflow's logic: data, correlations, dynamics, integration, output.
        .target(
            name: "LinFlowKit",
            dependencies: [
                "CGSL",
                "CHDF5",
                "CZlib",
                // SHA-256 of input files for the provenance record of each run.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The thin command-line front end: one file per subcommand.
        .executableTarget(
            name: "linflow",
            dependencies: [
                "LinFlowKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LinFlowKitTests",
            dependencies: [
                "LinFlowKit",
                .product(name: "Numerics", package: "swift-numerics"),
            ]
        ),
        .testTarget(
            name: "linflowCLITests",
            dependencies: ["linflow"],
            // Expected outputs, read by path (GoldenOutputTests), not bundled.
            exclude: ["Golden"]
        ),
    ]
)
