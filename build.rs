//! Compiles the plugin protocol (tfplugin5) and go-plugin's auxiliary services with tonic/prost.
//! protoc comes from the `protoc-bin-vendored` crate so a fresh machine needs no system package.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC from the environment.
    unsafe { std::env::set_var("PROTOC", protoc) };
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_protos(
            &["proto/tfplugin5.proto", "proto/go_plugin.proto"],
            &["proto"],
        )?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
