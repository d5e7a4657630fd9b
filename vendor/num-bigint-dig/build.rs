fn main() {
    // PATCHED for mailsleuth: declare the cfg so rustc's check-cfg lint stays quiet.
    println!("cargo:rustc-check-cfg=cfg(has_i128)");
    println!("cargo:rustc-cfg=has_i128");
}
