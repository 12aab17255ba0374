// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "linflow",
    products: [
        .executable(name: "linflow", targets: ["linflow"]),
        .library(name: "LinFlowKit", targets: ["LinFlowNumerics", "LinFlowIO", "LinFlowPlot", "LinFlowRuns", "LinFlowSweep"]),
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
        // linflow's own C: the Dormand–Prince stepper, the RMS step-size control (both plug into
        // GSL's odeiv2 tables) and OpenBLAS's kernel choice. Compiled sources, not header code.
        .target(name: "CLinFlow", dependencies: ["CGSL"]),

        // The layers follow the data flow, each depending only on those before it, so that a
        // wrong-way call does not compile (docs/development.md has the map):
        //   LinFlowNumerics ← LinFlowIO ← LinFlowPlot ← LinFlowRuns ← linflow
        //                              ↖ LinFlowSweep ←─────────────────┘
        // Numerics: matrices, linear algebra, correlations, the flows and their integrators,
        // descent, closed forms, the tangent kernel. No files, no command line.
        .target(name: "LinFlowNumerics", dependencies: ["CGSL", "CLinFlow"]),
        // I/O: data readers (CSV, .npy, .npz), trajectory sinks (CSV, HDF5), weight files, run
        // records with the SHA-256 of their inputs.
        .target(
            name: "LinFlowIO",
            dependencies: [
                "LinFlowNumerics", "CGSL", "CHDF5", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Figures through gnuplot, from any trajectory or summary file.
        .target(name: "LinFlowPlot", dependencies: ["LinFlowIO", "LinFlowNumerics"]),
        // One run: the request, its resolution against the data, the runners and summaries.
        .target(name: "LinFlowRuns", dependencies: ["LinFlowPlot", "LinFlowIO", "LinFlowNumerics", "CGSL"]),
        // Grids of runs: plans, local and Slurm execution, collection.
        .target(name: "LinFlowSweep", dependencies: ["LinFlowIO", "LinFlowNumerics"]),
        // The thin command-line front end: one file per subcommand.
        .executableTarget(
            name: "linflow",
            dependencies: [
                "LinFlowRuns", "LinFlowSweep", "LinFlowPlot", "LinFlowIO", "LinFlowNumerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What both test targets share: a seeded generator, sampled datasets, reference solvers.
        .target(
            name: "LinFlowTestSupport",
            dependencies: ["LinFlowNumerics", .product(name: "Numerics", package: "swift-numerics")],
            path: "Tests/LinFlowTestSupport"
        ),
        .testTarget(
            name: "LinFlowKitTests",
            dependencies: [
                "LinFlowTestSupport",
                "LinFlowRuns", "LinFlowSweep", "LinFlowPlot", "LinFlowIO", "LinFlowNumerics", "CLinFlow",
                .product(name: "Numerics", package: "swift-numerics"),
            ]
        ),
        .testTarget(
            name: "linflowCLITests",
            dependencies: ["linflow", "LinFlowTestSupport"],
            // Expected outputs, read by path (GoldenOutputTests), not bundled.
            exclude: ["Golden"]
        ),
    ]
)
