int routefile_dummy;
