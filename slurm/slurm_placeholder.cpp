void nar_slurm_placeholder() {}
