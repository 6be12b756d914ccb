"use strict";
document.getElementById("app").textContent = "vigil console";
