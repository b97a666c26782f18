/// Word lists for realistic Peruvian demo data.
enum DemoData {
    static let maleNames = ["José", "Luis", "Carlos", "Jorge", "Juan", "Miguel", "César", "Víctor", "Javier", "Manuel",
                            "Ricardo", "Raúl", "Fernando", "Alberto", "Eduardo", "Pedro", "Óscar", "Martín", "Renzo", "Diego",
                            "Gustavo", "Héctor", "Walter", "Percy", "Iván", "Andrés", "Sebastián", "Mateo", "Joaquín", "Álvaro"]
    static let femaleNames = ["María", "Rosa", "Carmen", "Ana", "Luz", "Julia", "Patricia", "Elena", "Sofía", "Milagros",
                              "Gladys", "Liliana", "Verónica", "Mónica", "Lucía", "Valeria", "Camila", "Fiorella", "Yessenia", "Rocío",
                              "Katherine", "Diana", "Silvia", "Norma", "Jimena", "Andrea", "Ximena", "Flor", "Maribel", "Inés"]
    static let surnames = ["Quispe", "Flores", "Sánchez", "Rodríguez", "García", "Mamani", "Huamán", "Rojas", "Chávez", "Vásquez",
                           "Ramos", "Torres", "Díaz", "Mendoza", "Castillo", "Pérez", "Gonzáles", "Ramírez", "Cruz", "Gutiérrez",
                           "Espinoza", "Vargas", "Romero", "Salazar", "Condori", "Ccori", "Núñez", "Peña", "Pena", "Ñahui",
                           "Paredes", "Cárdenas", "Zúñiga", "Ríos", "Aguilar", "Huanca", "Villanueva", "Carbajal", "León", "Ticona",
                           "Apaza", "Palomino", "Cusi", "Yupanqui", "Alarcón", "Benavides", "Medina", "Luna", "Ortiz", "Tello"]
    static let districts = ["Miraflores", "San Isidro", "Surco", "San Borja", "La Molina", "Jesús María", "Lince", "Magdalena del Mar",
                            "Pueblo Libre", "San Miguel", "Barranco", "Chorrillos", "Los Olivos", "San Martín de Porres",
                            "Comas", "Ate", "La Victoria", "Breña", "Surquillo", "San Juan de Lurigancho", "Villa El Salvador",
                            "Callao", "Cayma", "Yanahuara", "Cercado de Arequipa", "José Luis Bustamante y Rivero"]
    static let streets = ["Av. Larco", "Av. Arequipa", "Jr. de la Unión", "Av. Benavides", "Calle Los Pinos", "Av. Javier Prado",
                          "Av. Brasil", "Jr. Huancavelica", "Av. Salaverry", "Calle Las Begonias", "Av. Angamos", "Av. Ejército",
                          "Jr. Cusco", "Av. La Marina", "Calle Mercaderes"]
    static let mailDomains = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.es"]

    struct SpeciesInfo {
        let name: String
        let weight: Int
        let breeds: [String]
        let maxAgeYears: Int
    }
    static let species: [SpeciesInfo] = [
        SpeciesInfo(name: "perro", weight: 55, breeds: ["Mestizo", "Labrador Retriever", "Schnauzer", "Shih Tzu", "Golden Retriever", "Pug",
                                                        "Poodle", "Pastor Alemán", "Chihuahua", "Beagle", "Bulldog Francés", "Yorkshire Terrier",
                                                        "Cocker Spaniel", "Rottweiler", "Perro sin pelo del Perú", "Husky Siberiano", "Pitbull"], maxAgeYears: 16),
        SpeciesInfo(name: "gato", weight: 35, breeds: ["Mestizo", "Siamés", "Persa", "Angora", "Bengalí", "Maine Coon", "British Shorthair",
                                                       "Ragdoll", "Sphynx"], maxAgeYears: 18),
        SpeciesInfo(name: "ave", weight: 3, breeds: ["Periquito", "Canario", "Loro", "Cacatúa", "Agapornis"], maxAgeYears: 12),
        SpeciesInfo(name: "conejo", weight: 3, breeds: ["Mini Lop", "Cabeza de León", "Holland Lop", "Rex", "Mestizo"], maxAgeYears: 9),
        SpeciesInfo(name: "cuy", weight: 2, breeds: ["Peruano", "Abisinio", "Americano"], maxAgeYears: 7),
        SpeciesInfo(name: "hurón", weight: 1, breeds: ["Estándar", "Albino"], maxAgeYears: 8),
        SpeciesInfo(name: "reptil", weight: 1, breeds: ["Tortuga de tierra", "Iguana", "Gecko leopardo"], maxAgeYears: 20),
    ]
    static let dogNames = ["Max", "Rocky", "Toby", "Bobby", "Coco", "Luna", "Lola", "Nala", "Firulais", "Bruno", "Zeus", "Canela",
                           "Chispa", "Princesa", "Rex", "Oso", "Manchas", "Peluchín", "Terry", "Kira", "Thor", "Milo", "Simba",
                           "Negro", "Pelusa", "Chester", "Sasha", "Bella", "Dante", "Tyson"]
    static let catNames = ["Michi", "Misha", "Garfield", "Pelusa", "Luna", "Nieve", "Tom", "Salem", "Mishi", "Minino", "Felix",
                           "Kitty", "Chimuelo", "Pantera", "Tigre", "Cleo", "Mandarina", "Oreo", "Nina", "Copito"]
    static let smallNames = ["Piolín", "Paco", "Kiwi", "Tambor", "Copito", "Bolita", "Nube", "Pipo", "Chiquito", "Maní", "Rayo", "Lorenzo"]
}
